package bench

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"
)

// TrivialHandler is the baseline of the polling scenario: it parses the
// query as the API does and writes a constant envelope with the API's
// headers.
func TrivialHandler() http.Handler {
	body := []byte(`{"status":"ok","message":"10.00"}` + "\n")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			http.Error(w, "bad query", http.StatusBadRequest)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", "34")
		h.Set("Cache-Control", "no-store")
		w.Write(body)
	})
}

// ServeTrivial serves TrivialHandler at addr with the API server's settings
// until ctx ends.
func ServeTrivial(ctx context.Context, addr string, ready func()) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           TrivialHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	if ready != nil {
		ready()
	}
	select {
	case err = <-done:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = srv.Shutdown(sctx)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
