package apptest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"time"
)

// FuzzMethods are the methods a fuzz target picks from by a byte.
var FuzzMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodHead, http.MethodDelete}

// FuzzCallTimeout bounds one fuzzed call: long-polls end with it.
const FuzzCallTimeout = 100 * time.Millisecond

// FuzzRequest is the request a fuzz target sends to a handler in process:
// the method picked by method, the path and raw query as given, the body
// with its content type (none when empty), from a documentation address,
// bounded by FuzzCallTimeout (cancel when done).
func FuzzRequest(ctx context.Context, method uint8, path, query, contentType string, body []byte) (*http.Request, context.CancelFunc) {
	cctx, cancel := context.WithTimeout(ctx, FuzzCallTimeout)
	r := (&http.Request{
		Method:     FuzzMethods[int(method)%len(FuzzMethods)],
		URL:        &url.URL{Path: path, RawQuery: query},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Host:          "mdnhub.test",
		RemoteAddr:    "192.0.2.1:40000",
	}).WithContext(cctx)
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r, cancel
}
