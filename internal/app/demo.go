package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/areacode"
	"mdnhub/internal/catalog"
	"mdnhub/internal/db"
	"mdnhub/internal/gateway/sim"
	"mdnhub/internal/inventory"
	"mdnhub/internal/proxy"
)

// DemoSeed tells what SeedDemo set up.
type DemoSeed struct {
	DBPath   string
	User     string
	APIKey   string
	Services int
	Numbers  int
	// Kept is true when the database held the demo from an earlier run:
	// its data (balance, history) is kept, and so is the API key.
	Kept         bool
	BalanceCents int64
	// KeyFile holds the demo user's API key beside the database, so that
	// every run on the same database shows the same key.
	KeyFile string
	// Password is the demo user's web password; Operator and
	// OperatorPassword log in to the operator's pages.
	Password, Operator, OperatorPassword string
}

// The demo's web logins (the demo is not a public site).
const (
	DemoPassword         = "demo-password"
	DemoOperator         = "operator"
	DemoOperatorPassword = "operator-password"
)

// DemoServices are the sample services with their prices in cents: one-time,
// 30-day rental, 3-day rental.
var DemoServices = []catalog.Service{
	{Name: "Google", PriceCents: 100, LTRPriceCents: 2000, LTRShortPriceCents: 500},
	{Name: "Amazon", PriceCents: 50, LTRPriceCents: 1550, LTRShortPriceCents: 400},
	{Name: "WhatsApp", PriceCents: 75, LTRPriceCents: 1800, LTRShortPriceCents: 450},
	{Name: "Telegram", PriceCents: 60, LTRPriceCents: 1500, LTRShortPriceCents: 400},
	{Name: "Microsoft", PriceCents: 40, LTRPriceCents: 1200, LTRShortPriceCents: 300},
	{Name: "Facebook", PriceCents: 50, LTRPriceCents: 1500, LTRShortPriceCents: 400},
	{Name: "Uber", PriceCents: 45, LTRPriceCents: 1400, LTRShortPriceCents: 350},
	{Name: "Discord", PriceCents: 35, LTRPriceCents: 1000, LTRShortPriceCents: 300},
	{Name: "TikTok", PriceCents: 40, LTRPriceCents: 1200, LTRShortPriceCents: 300},
	{Name: "Unlimited", PriceCents: 300, LTRPriceCents: 6000, LTRShortPriceCents: 1500},
}

// DemoRules are the sample services' detection rules: the senders and words
// their verification messages come with.
var DemoRules = []struct{ Service, Kind, Pattern string }{
	{"Google", "sender", "22000"}, {"Google", "keyword", "google"},
	{"Amazon", "sender", "23383"}, {"Amazon", "keyword", "amazon"},
	{"WhatsApp", "keyword", "whatsapp"},
	{"Telegram", "sender", "42777"}, {"Telegram", "keyword", "telegram"},
	{"Microsoft", "keyword", "microsoft"},
	{"Facebook", "sender", "32665"}, {"Facebook", "keyword", "facebook"},
	{"Uber", "sender", "89203"}, {"Uber", "keyword", "uber"},
	{"Discord", "keyword", "discord"},
	{"TikTok", "keyword", "tiktok"},
}

var demoCarriers = []string{"TMobile", "ATT", "Verizon", "USCellular"}

var demoStates = []string{"CA", "NY", "TX", "FL", "IL", "NJ", "WA", "GA", "PA", "OH", "MA", "AZ"}

// SeedDemo fills an empty database with the demo services, 300 simulator
// numbers across states and carriers, and the user "demo" with $100.00; on a
// database that has them already it keeps them. API keys are stored hashed,
// so the demo user's key is also kept in a file beside the database (see
// demoKey) and shown again on every run.
func SeedDemo(ctx context.Context, a *App) (DemoSeed, error) {
	seed := DemoSeed{DBPath: a.Config.DB.Path, User: "demo", Services: len(DemoServices),
		KeyFile: a.Config.DB.Path + ".key"}
	ports, err := a.Proxies.ListPorts(ctx, true)
	if err != nil {
		return seed, err
	}
	if len(ports) == 0 {
		for _, p := range []proxy.Port{
			{ID: "50001", Location: "NJ", Carrier: "Verizon", RedialMinutes: 15, Capacity: 3, ExclusiveAllowed: true},
			{ID: "50002", Location: "TX", Carrier: "T-Mobile", RedialMinutes: 10, Capacity: 2, ExclusiveAllowed: true},
		} {
			p.Upstream, p.RedialTimeout, p.Enabled = "direct", time.Minute, true
			if err := a.Proxies.PutPort(ctx, p); err != nil {
				return seed, err
			}
		}
	}
	for _, s := range DemoServices {
		if _, err := a.Catalog.Lookup(ctx, s.Name); err == nil {
			continue // keep what the operator may have changed
		}
		s.Enabled = true
		if _, err := a.Catalog.Put(ctx, s); err != nil {
			return seed, err
		}
	}
	for _, r := range DemoRules {
		if _, err := a.Catalog.AddRule(ctx, r.Service, r.Kind, r.Pattern); err != nil {
			return seed, err
		}
	}
	counts, err := a.Inventory.Count(ctx)
	if err != nil {
		return seed, err
	}
	if counts.Total == 0 {
		// A fixed seed makes every fresh demo the same.
		rng := rand.New(rand.NewPCG(1, 2))
		var items []inventory.Import
		seen := map[string]bool{}
		for len(items) < 300 {
			st := demoStates[len(items)%len(demoStates)]
			codes := areacode.CodesOf(st)
			code := codes[rng.IntN(len(codes))]
			mdn := fmt.Sprintf("1%s%03d%04d", code, 200+rng.IntN(800), rng.IntN(10000))
			if seen[mdn] {
				continue
			}
			seen[mdn] = true
			items = append(items, inventory.Import{
				MDN: mdn, Carrier: demoCarriers[rng.IntN(len(demoCarriers))], Gateway: sim.Name,
				ShortRental: rng.IntN(3) == 0,
			})
		}
		if _, err := a.Inventory.Put(ctx, items); err != nil {
			return seed, err
		}
		counts.Total = int64(len(items))
	}
	seed.Numbers = int(counts.Total)
	u, err := a.Accounts.Find(ctx, "demo")
	switch {
	case errors.Is(err, db.ErrNotFound):
		if u, err = a.Accounts.Create(ctx, "demo", "demo@example.com"); err != nil {
			return seed, err
		}
		if u.BalanceCents, err = a.Accounts.Credit(ctx, u.ID, 10000, "Demo starting balance"); err != nil {
			return seed, err
		}
	case err != nil:
		return seed, err
	default:
		seed.Kept = true
	}
	seed.BalanceCents = u.BalanceCents
	if seed.APIKey, err = demoKey(ctx, a, u.ID, seed.KeyFile); err != nil {
		return seed, err
	}
	seed.Password, seed.Operator, seed.OperatorPassword = DemoPassword, DemoOperator, DemoOperatorPassword
	if err := demoLogin(ctx, a, u, DemoPassword); err != nil {
		return seed, err
	}
	op, err := a.Accounts.Find(ctx, DemoOperator)
	if errors.Is(err, db.ErrNotFound) {
		if op, err = a.Accounts.Create(ctx, DemoOperator, "operator@example.com"); err == nil {
			err = a.Accounts.SetRole(ctx, op.ID, "admin")
		}
	}
	if err != nil {
		return seed, err
	}
	if err := demoLogin(ctx, a, op, DemoOperatorPassword); err != nil {
		return seed, err
	}
	return seed, a.Catalog.Refresh(ctx)
}

// demoLogin gives a demo account its web password and a confirmed address,
// unless it has a password already (one changed on the site stays).
func demoLogin(ctx context.Context, a *App, u account.User, password string) error {
	if !u.HasPassword {
		if err := a.Accounts.SetPassword(ctx, u.ID, password); err != nil {
			return err
		}
	}
	return a.Accounts.ConfirmAddress(ctx, u.ID)
}

// demoKey returns the demo user's API key: the one kept in keyFile when it
// still opens the account, else a new one, written to keyFile (readable by
// its owner only) for the next run.
func demoKey(ctx context.Context, a *App, userID int64, keyFile string) (string, error) {
	if b, err := os.ReadFile(keyFile); err == nil {
		key := strings.TrimSpace(string(b))
		if p, err := a.Accounts.Authenticate(ctx, "demo", key); err == nil && p.UserID == userID {
			return key, nil
		}
	}
	key, err := a.Accounts.GenerateKey(ctx, userID)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("keeping the demo key: %w", err)
	}
	return key, nil
}
