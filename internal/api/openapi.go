package api

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPI is the OpenAPI 3.1 description of api_command.php, one operation
// per command with its parameters, answers and error texts. Tests keep it
// true: it is validated as OpenAPI 3.1, every golden answer is validated
// against the schema of its command, and docs/openapi.md is rendered from it.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI description (the caller must not modify it).
func OpenAPI() []byte { return openAPI }

// serveOpenAPI serves the description at /openapi.json.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(openAPI)))
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(openAPI)
}
