package front

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"strconv"
	"time"
)

// connectPrefix starts a CONNECT request line.
var connectPrefix = []byte("CONNECT ")

// serveHTTPConn reads the requests of a new HTTP proxy connection itself
// while they are CONNECTs, and hands the connection to http.Server at the
// first other request. Answering a CONNECT this way skips http.Server's
// per-connection machinery (response buffers, a background read, the
// hijack hand-over), about a tenth of a tunnel's set-up cost; requests
// are still parsed by net/http.
func (f *Front) serveHTTPConn(c net.Conn, h *handoff) {
	if !f.track(c) {
		c.Close() //nolint:errcheck // the front is closing
		return
	}
	defer f.untrack(c)
	br := bufio.NewReaderSize(c, 1024)
	for {
		c.SetReadDeadline(time.Now().Add(handshakeTimeout)) //nolint:errcheck // a live socket
		p, err := br.Peek(len(connectPrefix))
		if err != nil {
			c.Close() //nolint:errcheck // gone, silent or too short to be a request
			return
		}
		if !bytes.Equal(p, connectPrefix) {
			c.SetReadDeadline(time.Time{}) //nolint:errcheck // http.Server sets its own
			if !h.give(&bufferedConn{Conn: c, r: br}) {
				c.Close() //nolint:errcheck // the front is closing
			}
			return
		}
		req, err := http.ReadRequest(br)
		if err != nil {
			f.metrics.count(listenerHTTP, resultRefused)
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")) //nolint:errcheck // closing
			c.Close()                                                                                     //nolint:errcheck // closing
			return
		}
		w := &rawResponse{conn: c, br: br, header: make(http.Header)}
		f.serveConnect(w, req)
		if w.hijacked {
			return // the tunnel had the connection, and has closed it
		}
		// An answer without a tunnel (407 before the credentials, 403, 502)
		// leaves the connection to the client's next request.
		if w.flush(req.Close) != nil || req.Close {
			c.Close() //nolint:errcheck // done
			return
		}
	}
}

// rawResponse is the http.ResponseWriter of a CONNECT read by
// serveHTTPConn: it buffers an error answer, or hands the connection over.
type rawResponse struct {
	conn     net.Conn
	br       *bufio.Reader
	header   http.Header
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (w *rawResponse) Header() http.Header { return w.header }

func (w *rawResponse) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *rawResponse) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// Hijack hands the connection and its read buffer over.
func (w *rawResponse) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.hijacked = true
	return w.conn, bufio.NewReadWriter(w.br, bufio.NewWriterSize(w.conn, 64)), nil
}

// flush writes the buffered answer.
func (w *rawResponse) flush(closing bool) error {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(w.status) + " " + http.StatusText(w.status) + "\r\n")
	w.header.Del("Content-Length")
	if closing {
		w.header.Set("Connection", "close")
	}
	w.header.Write(&b) //nolint:errcheck // a bytes.Buffer
	b.WriteString("Content-Length: " + strconv.Itoa(w.body.Len()) + "\r\n\r\n")
	b.Write(w.body.Bytes())
	_, err := w.conn.Write(b.Bytes())
	return err
}

// bufferedConn is a connection whose next bytes are partly in r already.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// unwrap returns the bare connection under c and the bytes already read
// from it that the tunnel still owes the upstream, after those in the
// hijacked server's buffer.
func unwrap(c net.Conn) (net.Conn, []byte) {
	if bc, ok := c.(*bufferedConn); ok && bc.r.Buffered() > 0 {
		p, _ := bc.r.Peek(bc.r.Buffered())
		return bc.Conn, append([]byte(nil), p...)
	} else if ok {
		return bc.Conn, nil
	}
	return c, nil
}
