package front

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
)

// hopHeaders concern one connection only (RFC 9110 section 7.6.1): they
// are not passed on, nor is any other Proxy-* header.
var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

func removeHopHeaders(h http.Header) {
	for _, v := range h.Values("Connection") {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
	for k := range h {
		if strings.HasPrefix(k, "Proxy-") {
			delete(h, k)
		}
	}
}

// serveForward forwards an absolute-form http:// request through the
// rental's upstream, on a connection of its own.
func (f *Front) serveForward(w http.ResponseWriter, r *http.Request) {
	lease, authAt, ok := f.httpAuth(w, r)
	if !ok {
		return
	}
	if r.URL.Scheme != "http" {
		f.metrics.count(listenerHTTP, resultRefused)
		proxyError(w, http.StatusBadRequest, "only http:// URLs are forwarded; use CONNECT for others")
		return
	}
	port := r.URL.Port()
	if port == "" {
		port = "80"
	}
	t, prefix, err := f.open(lease, authAt, listenerHTTP, r.URL.Hostname(), port)
	if err != nil {
		f.openFailed(w, err)
		return
	}
	defer t.release()
	if err := t.establish(nil); err != nil {
		f.metrics.count(listenerHTTP, resultFailed)
		proxyError(w, http.StatusServiceUnavailable, "rental ended")
		return
	}
	defer t.finish() // also when forward aborts
	// The request and answer go through net/http's buffers, so count in
	// the connection.
	f.forward(w, r, t, &countingConn{Conn: t.upstream, up: &t.bytesUp, down: &t.bytesDown}, prefix)
}

// forward writes r to the destination on up and copies the answer back.
func (f *Front) forward(w http.ResponseWriter, r *http.Request, t *tunnel, up net.Conn, prefix []byte) {
	out := r.Clone(r.Context())
	out.RequestURI = ""
	// One request per upstream connection: its end marks the answer's end
	// when the origin gives no length, and nothing idles at the origin.
	out.Close = true
	removeHopHeaders(out.Header)
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header["User-Agent"] = nil // present but empty: Request.Write adds none of its own
	}
	// An origin may answer before it has read the whole body (an error);
	// the body keeps streaming meanwhile.
	http.NewResponseController(w).EnableFullDuplex() //nolint:errcheck // HTTP/1 supports it
	written := make(chan error, 1)
	go func() {
		bw := bufio.NewWriter(up)
		err := out.Write(bw)
		if err == nil {
			err = bw.Flush()
		}
		written <- err
	}()
	// The writer reads r.Body: it must be done before the handler returns.
	defer func() {
		t.close("done")
		<-written
	}()

	var src io.Reader = up
	if len(prefix) > 0 {
		src = io.MultiReader(bytes.NewReader(prefix), up)
	}
	resp, err := readFinalResponse(bufio.NewReader(src), out)
	if err != nil {
		proxyError(w, http.StatusBadGateway, "no valid answer from the destination")
		return
	}
	defer resp.Body.Close()
	removeHopHeaders(resp.Header)
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	if _, err := io.Copy(w, resp.Body); err != nil {
		// The answer is cut (revoked, idle, origin gone): drop the client
		// connection so the client cannot take it as complete.
		panic(http.ErrAbortHandler)
	}
}

// readFinalResponse skips interim 1xx answers (100 Continue, 103 Early
// Hints): the client's own server connection answers those.
func readFinalResponse(br *bufio.Reader, req *http.Request) (*http.Response, error) {
	for {
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			return resp, nil
		}
	}
}
