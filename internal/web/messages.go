package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mdnhub/internal/account"
	"mdnhub/internal/inventory"
	"mdnhub/internal/message"
	"mdnhub/internal/rental"
)

// custPageSize is how many rows a paged customer list shows.
const custPageSize = 50

type custMessagesView struct {
	MDN, Service string
	Services     []string
	Entries      []custSMS
	Pager        custPager
}

// custLogCursor reads a message cursor parameter, "<received_at>.<id>".
func custLogCursor(q url.Values, key string) message.LogCursor {
	at, id, ok := strings.Cut(q.Get(key), ".")
	if !ok {
		return message.LogCursor{}
	}
	a, err1 := strconv.ParseInt(at, 10, 64)
	i, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || a < 0 || i < 0 {
		return message.LogCursor{}
	}
	return message.LogCursor{At: a, ID: i}
}

func custLogCursorText(c message.LogCursor) string {
	return strconv.FormatInt(c.At, 10) + "." + strconv.FormatInt(c.ID, 10)
}

// custMessages is the SMS message log: inbound SMS, Billing entries and
// outbound SMS with their status, newest first, by number and service,
// paged by (time, id).
func (s *Server) custMessages(w http.ResponseWriter, r *http.Request, sess account.Session) {
	q := r.URL.Query()
	v := custMessagesView{MDN: strings.TrimSpace(q.Get("mdn")), Service: strings.TrimSpace(q.Get("service"))}
	f := message.LogFilter{UserID: sess.User.ID, Service: v.Service, Limit: custPageSize,
		Before: custLogCursor(q, "before"), After: custLogCursor(q, "after")}
	status, errText := http.StatusOK, ""
	if v.MDN != "" {
		mdn, err := inventory.NormalizeMDN(v.MDN)
		if err != nil || len(v.MDN) > 32 {
			status, errText = http.StatusBadRequest, "Invalid mdn: must be an 11-digit US number"
		}
		f.MDN = mdn
	}
	services, err := s.Catalog.List(r.Context())
	if err != nil {
		s.custFail(w, r, err, "messages", nil)
		return
	}
	listed := false
	for _, svc := range services {
		v.Services = append(v.Services, svc.Name)
		listed = listed || svc.Name == v.Service
	}
	v.Services = append(v.Services, rental.UnknownService)
	if v.Service != "" && !listed && v.Service != rental.UnknownService {
		v.Services = append(v.Services, v.Service)
	}
	if errText == "" {
		p, err := s.Messages.Log(r.Context(), f)
		if err != nil {
			s.custFail(w, r, err, "messages", nil)
			return
		}
		for _, e := range p.Entries {
			v.Entries = append(v.Entries, custSMSOf(e))
		}
		if p.HasNewer {
			v.Pager.First = custLink("/messages", q, "", "")
			v.Pager.Newer = custLink("/messages", q, "after", custLogCursorText(p.Newer))
		}
		if p.HasOlder {
			v.Pager.Older = custLink("/messages", q, "before", custLogCursorText(p.Older))
		}
	}
	s.renderView(w, r, status, "messages", view{Title: "SMS message log", Error: errText, Data: v})
}

// custMessage is one row of the log, whole.
func (s *Server) custMessage(w http.ResponseWriter, r *http.Request, sess account.Session, id int64) {
	e, err := s.Messages.Get(r.Context(), sess.User.ID, id)
	if err != nil {
		s.custFail(w, r, err, "message", nil)
		return
	}
	s.render(w, r, http.StatusOK, "message", "Message "+strconv.FormatInt(id, 10), custSMSOf(e))
}
