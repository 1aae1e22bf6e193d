package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in cents. The API prints money with two decimals, as a
// JSON number (1.20) or a string ("1.20") depending on the field; Money
// reads both exactly, without floating point.
type Money int64

// ParseMoney reads "12.34" (also "12", "12.3", "-1.50").
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.ContainsAny(whole+frac, "+-eE ") {
		return 0, fmt.Errorf("invalid amount %q", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid amount %q", s)
	}
	if neg {
		n = -n
	}
	return Money(n), nil
}

// String prints the amount with two decimals: "1.20".
func (m Money) String() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d.%02d", sign, m/100, m%100)
}

// UnmarshalJSON reads a number or a string with up to two decimals.
func (m *Money) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	v, err := ParseMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MarshalJSON writes the amount as a JSON number with two decimals.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// Request statuses.
const (
	StatusAwaiting  = "Awaiting MDN"
	StatusReserved  = "Reserved"
	StatusCompleted = "Completed"
	StatusRejected  = "Rejected"
	StatusTimedOut  = "Timed Out"
)

// Request is a one-time request (request, request_status).
type Request struct {
	ID      string `json:"id"`
	MDN     string `json:"mdn"` // "" while a premium bid waits
	Service string `json:"service"`
	Status  string `json:"status"`
	State   string `json:"state"`
	Markup  int    `json:"markup"`
	// Price is what the request was charged (request answers it;
	// request_status does not, and it is then 0).
	Price   Money  `json:"price"`
	Carrier string `json:"carrier"`
	// TillExpiration is the seconds until the reservation or bid ends.
	TillExpiration int `json:"till_expiration"`
}

// Ended reports whether the request has ended without a number for good.
func (r Request) Ended() bool { return r.Status == StatusRejected || r.Status == StatusTimedOut }

// Message is a received SMS (read_sms).
type Message struct {
	Timestamp Timestamp `json:"timestamp"` // unix seconds
	DateTime  string    `json:"date_time"` // New York time, "2020-09-14 14:42:36 EDT"
	From      string    `json:"from"`
	To        string    `json:"to"`
	Service   string    `json:"service"`
	Price     Money     `json:"price"`
	Reply     string    `json:"reply"` // the text
	PIN       string    `json:"pin"`   // the recognised code, "" when none
}

// Timestamp is unix seconds, read from a JSON string or number.
type Timestamp int64

// UnmarshalJSON reads "1600108956" or 1600108956.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(string(bytes.Trim(b, `"`)), 10, 64)
	if err != nil {
		return fmt.Errorf("invalid timestamp %s", b)
	}
	*t = Timestamp(n)
	return nil
}

// MarshalJSON writes the timestamp as the API does: a string.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(t), 10) + `"`), nil
}

// Service is an entry of list_services.
type Service struct {
	Name          string `json:"name"`
	Price         Money  `json:"price"`
	LTRPrice      Money  `json:"ltr_price"`
	LTRShortPrice Money  `json:"ltr_short_price"`
	Available     Count  `json:"available"`
	LTRAvailable  Count  `json:"ltr_available"`
	// RecommendedMarkup is given only when exactly one service was asked.
	RecommendedMarkup Count `json:"recommended_markup,omitempty"`
}

// Count is a number the API sends as a string ("74").
type Count int64

// UnmarshalJSON reads "74" or 74.
func (c *Count) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(string(bytes.Trim(b, `"`)), 10, 64)
	if err != nil {
		return fmt.Errorf("invalid count %s", b)
	}
	*c = Count(n)
	return nil
}

// MarshalJSON writes the count as the API does: a string.
func (c Count) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(c), 10) + `"`), nil
}

// Rental is a long-term rental (ltr_rent).
type Rental struct {
	ID      int64  `json:"id"`
	MDN     string `json:"mdn"` // "" while a reservation waits
	Service string `json:"service"`
	Price   Money  `json:"price"`   // what was charged
	Expires string `json:"expires"` // New York time, "" while a reservation waits
	Carrier string `json:"carrier"`
}

// RentalStatus is ltr_status's and ltr_activate's answer.
type RentalStatus struct {
	MDN        string `json:"mdn"`
	Status     string `json:"ltr_status"`  // online, offline, awaiting mdn
	TillChange int64  `json:"till_change"` // seconds until it changes by itself, 0: not scheduled
	NextOnline int64  `json:"next_online"` // unix time it is or will be online, 0: none
	Timestamp  int64  `json:"timestamp"`
	DateTime   string `json:"date_time"`
}

// ProxyPort is an entry of proxy_list.
type ProxyPort struct {
	Port            string  `json:"port"`
	Location        string  `json:"location"`
	Carrier         string  `json:"carrier"`
	RedialInterval  Count   `json:"redial_interval"` // minutes
	Leases          Count   `json:"leases"`
	Services        *string `json:"services"` // null when not leased
	IsExclusive     bool    `json:"is_exclusive"`
	RentingPossible bool    `json:"renting_possible"`
}

// ProxyRental is proxy_rent's and proxy_swap's answer (Price: rent only).
type ProxyRental struct {
	ID        string `json:"id"`
	Port      string `json:"port"`
	Carrier   string `json:"proxy_carrier"`
	User      string `json:"proxy_user"`
	Password  string `json:"proxy_pass"`
	IP        string `json:"proxy_ip"`
	SOCKSPort int    `json:"proxy_socks_port"`
	HTTPPort  int    `json:"proxy_http_port"`
	Auth      string `json:"proxy_auth"`
	Price     Money  `json:"price,omitempty"`
}

// oneOrMany reads a JSON array of T, or a single T (request_status answers
// either, by account setting).
func oneOrMany[T any](raw json.RawMessage) ([]T, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var one T
		err := json.Unmarshal(raw, &one)
		return []T{one}, err
	}
	var many []T
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, err
	}
	if len(many) == 0 {
		return nil, errors.New("empty answer")
	}
	return many, nil
}
