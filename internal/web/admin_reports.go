package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"mdnhub/internal/account"
	"mdnhub/internal/inventory"
	"mdnhub/internal/rental"
)

type adminReportRow struct {
	rental.Report
	User   string
	Rental rental.Rental
	Text   string
}

type adminReportsPage struct {
	All  bool
	Rows []adminReportRow
}

// adminReports lists the renters' reports, open ones unless ?all=1, oldest
// first, each open one with the three ways to settle it.
func (s *Server) adminReports(w http.ResponseWriter, r *http.Request, sess account.Session) {
	s.adminReportsView(w, r, http.StatusOK, "")
}

func (s *Server) adminReportsView(w http.ResponseWriter, r *http.Request, status int, errText string) {
	ctx := r.Context()
	p := adminReportsPage{All: r.URL.Query().Get("all") != ""}
	reps, err := s.Rentals.Reports(ctx, p.All)
	if err != nil {
		s.adminFailed(w, r, "reports", err)
		return
	}
	var ids []int64
	for _, rep := range reps {
		ids = append(ids, rep.UserID)
	}
	names := s.adminNames(r, ids)
	for _, rep := range reps {
		row := adminReportRow{Report: rep, User: names[rep.UserID], Text: rep.Text()}
		if row.Rental, err = s.Rentals.ByID(ctx, rep.RentalID); err != nil {
			s.adminFailed(w, r, "rental of a report", err)
			return
		}
		p.Rows = append(p.Rows, row)
	}
	s.adminRender(w, r, status, "admin_reports", "Rental reports", "reports", errText, p)
}

// adminReportResolve settles a report, as mdnhub rentals resolve does:
// replace the number (same service, the remaining time), refund the unused
// part and end the rental, or decline with a reason the renter sees.
func (s *Server) adminReportResolve(w http.ResponseWriter, r *http.Request, sess account.Session) {
	id, ok := adminPathID(r, "id")
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such report.")
		return
	}
	var res rental.Resolution
	switch r.PostFormValue("action") {
	case "replace":
		res.Replace = true
	case "refund":
		res.Refund = true
	case "decline":
		res.Decline = strings.TrimSpace(r.PostFormValue("reason"))
		if res.Decline == "" {
			s.adminReportsView(w, r, http.StatusBadRequest, fmt.Sprintf("Report %d: give the reason you decline it; the renter sees it.", id))
			return
		}
	default:
		s.adminReportsView(w, r, http.StatusBadRequest, "Choose replace, refund or decline.")
		return
	}
	rep, err := s.Rentals.Resolve(r.Context(), id, res)
	if err != nil {
		status, text := adminError(err)
		switch {
		case errors.Is(err, inventory.ErrNoneAvailable):
			text = "No number is available to replace it with; refund or decline, or add numbers first."
		case status == http.StatusInternalServerError:
			s.adminFailed(w, r, "report", err)
			return
		}
		s.adminReportsView(w, r, status, fmt.Sprintf("Report %d: %s", id, text))
		return
	}
	adminDone(w, r, "/admin/reports", fmt.Sprintf("Report %d: %s.", rep.ID, rep.Text()))
}
