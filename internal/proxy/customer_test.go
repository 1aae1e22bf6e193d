package proxy_test

import (
	"errors"
	"testing"
	"time"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/proxy"
)

// Rental gives the user's own rental, ended ones too, and nobody else's.
func TestRentalOfUser(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		port(t, e, "50001", 2, "")
		u, _ := e.User(t, 10000)
		other, _ := e.User(t, 10000)
		r, err := e.Proxies.Rent(ctx, proxy.RentAsk{UserID: u.ID, Username: u.Username, Port: "50001", Service: "Uber", Minutes: 60})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.Proxies.Rental(ctx, u.ID, r.ID)
		if err != nil || got.ProxyUser != r.ProxyUser || got.Status != "active" || got.Password != "" {
			t.Fatalf("rental %+v %v", got, err)
		}
		if _, err := e.Proxies.Rental(ctx, other.ID, r.ID); !errors.Is(err, proxy.ErrNotFound) {
			t.Fatalf("another user's rental: %v", err)
		}
		if _, err := e.Proxies.Rental(ctx, u.ID, r.ID+1000); !errors.Is(err, proxy.ErrNotFound) {
			t.Fatalf("no such rental: %v", err)
		}
		// Past its end it shows ended, before and after the expiry job.
		e.Clock.Advance(time.Hour)
		if got, _ := e.Proxies.Rental(ctx, u.ID, r.ID); got.Status != "ended" {
			t.Fatalf("past its end: %q", got.Status)
		}
		if _, err := e.Jobs.RunPending(ctx, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.Proxies.Rental(ctx, u.ID, r.ID); got.Status != "ended" {
			t.Fatalf("expired: %q", got.Status)
		}
	})
}
