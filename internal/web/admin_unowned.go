package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"mdnhub/internal/account"
	"mdnhub/internal/message"
)

type adminUnownedPage struct {
	Rows      []message.Unowned
	Next      string
	FirstPage string
}

// adminUnowned lists the SMS nobody held the number for, newest first,
// paged by the last one shown (?before=<time>.<id>).
func (s *Server) adminUnowned(w http.ResponseWriter, r *http.Request, sess account.Session) {
	var at, id int64
	if b := r.URL.Query().Get("before"); b != "" {
		a, i, _ := strings.Cut(b, ".")
		at, _ = strconv.ParseInt(a, 10, 64)
		id, _ = strconv.ParseInt(i, 10, 64)
	}
	rows, err := s.Messages.Unowned(r.Context(), at, id, adminPageSize+1)
	if err != nil {
		s.adminFailed(w, r, "unowned messages", err)
		return
	}
	var p adminUnownedPage
	if id != 0 {
		p.FirstPage = "/admin/unowned"
	}
	if len(rows) > adminPageSize {
		rows = rows[:adminPageSize]
		last := rows[len(rows)-1]
		p.Next = fmt.Sprintf("/admin/unowned?before=%d.%d", last.ReceivedAt, last.ID)
	}
	p.Rows = rows
	s.adminRender(w, r, http.StatusOK, "admin_unowned", "Unowned SMS", "unowned", "", p)
}
