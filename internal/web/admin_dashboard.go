package web

import (
	"fmt"
	"net/http"
	"time"

	"mdnhub/internal/account"
	"mdnhub/internal/inventory"
	"mdnhub/internal/request"
)

// adminDash is the operator's page of live figures.
type adminDash struct {
	Now      int64
	Open     request.OpenCounts
	Outcomes []adminOutcomeRow
	Inbound  adminChart
	Gateways []GatewayStatus
	Owed     int64 // the sum of customer balances, cents
	Numbers  inventory.Counts
	Reports  int // open rental reports
}

// adminOutcomeRow is one service's last 24 hours.
type adminOutcomeRow struct {
	request.ServiceOutcomes
	Rate string // "75%", or "–" when nothing is decided yet
}

// adminChart is the last hour of inbound SMS, one bar per minute, drawn
// as SVG (attributes only: the site's CSP allows no inline style).
type adminChart struct {
	Total, LastMinute, Peak int64
	Bars                    []adminBar
	Height                  int
}

type adminBar struct {
	X, Y, H int
	Title   string
}

// adminChartHeight is the height of the inbound chart in SVG units.
const adminChartHeight = 40

func newAdminChart(counts []int64, now time.Time) adminChart {
	c := adminChart{Height: adminChartHeight}
	for _, n := range counts {
		c.Total += n
		c.Peak = max(c.Peak, n)
	}
	if len(counts) > 0 {
		c.LastMinute = counts[len(counts)-1]
	}
	for i, n := range counts {
		h := 0
		if c.Peak > 0 {
			h = int(n * adminChartHeight / c.Peak)
		}
		if n > 0 {
			h = max(h, 1)
		}
		ago := len(counts) - 1 - i
		c.Bars = append(c.Bars, adminBar{X: i, Y: adminChartHeight - h, H: h,
			Title: fmt.Sprintf("%s: %d SMS", now.Add(-time.Duration(ago)*time.Minute).Format("15:04"), n)})
	}
	return c
}

// adminDashboard shows the live figures; the page asks for itself again
// every 15 seconds (htmx) and swaps the figures in.
func (s *Server) adminDashboard(w http.ResponseWriter, r *http.Request, sess account.Session) {
	ctx := r.Context()
	now := s.Clock.Now()
	d := adminDash{Now: now.Unix(), Gateways: s.adminGatewayList()}
	var err error
	if d.Open, err = s.Requests.OpenCounts(ctx); err != nil {
		s.adminFailed(w, r, "open requests", err)
		return
	}
	outs, err := s.Requests.OutcomesSince(ctx, now.Add(-24*time.Hour).Unix())
	if err != nil {
		s.adminFailed(w, r, "completion rates", err)
		return
	}
	for _, o := range outs {
		row := adminOutcomeRow{ServiceOutcomes: o, Rate: "–"}
		if rate := o.CompletionRate(); rate >= 0 {
			row.Rate = fmt.Sprintf("%.0f%%", rate*100)
		}
		d.Outcomes = append(d.Outcomes, row)
	}
	counts, err := s.Messages.InboundPerMinute(ctx, 60)
	if err != nil {
		s.adminFailed(w, r, "inbound SMS", err)
		return
	}
	d.Inbound = newAdminChart(counts, now)
	if d.Owed, err = s.Accounts.TotalBalance(ctx); err != nil {
		s.adminFailed(w, r, "balances", err)
		return
	}
	if d.Numbers, err = s.Inventory.Count(ctx); err != nil {
		s.adminFailed(w, r, "numbers", err)
		return
	}
	reports, err := s.Rentals.Reports(ctx, false)
	if err != nil {
		s.adminFailed(w, r, "reports", err)
		return
	}
	d.Reports = len(reports)
	s.adminRender(w, r, http.StatusOK, "admin_dashboard", "Operator", "dashboard", "", d)
}
