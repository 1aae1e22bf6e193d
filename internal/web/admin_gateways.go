package web

import (
	"net/http"

	"mdnhub/internal/account"
	"mdnhub/internal/inventory"
)

type adminGatewayRow struct {
	GatewayStatus
	Declared bool // attached to this server; false: only named by numbers
	Numbers  inventory.GatewayCount
}

// adminGateways lists the attached gateways with their kind, health and
// capabilities, and the numbers of each; gateways that numbers name but the
// configuration does not declare are listed too, since their numbers only
// receive what mdnhub sim send injects.
func (s *Server) adminGateways(w http.ResponseWriter, r *http.Request, sess account.Session) {
	counts, err := s.Inventory.CountByGateway(r.Context())
	if err != nil {
		s.adminFailed(w, r, "numbers per gateway", err)
		return
	}
	byName := map[string]inventory.GatewayCount{}
	for _, c := range counts {
		byName[c.Gateway] = c
	}
	var rows []adminGatewayRow
	for _, g := range s.adminGatewayList() {
		rows = append(rows, adminGatewayRow{GatewayStatus: g, Declared: true, Numbers: byName[g.Name]})
		delete(byName, g.Name)
	}
	for _, c := range counts {
		if _, left := byName[c.Gateway]; left {
			rows = append(rows, adminGatewayRow{GatewayStatus: GatewayStatus{Name: c.Gateway}, Numbers: c})
		}
	}
	s.adminRender(w, r, http.StatusOK, "admin_gateways", "Gateways", "gateways", "", rows)
}
