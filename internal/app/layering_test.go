package app_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The domain packages (rules and their SQL) never import an adapter
// (transport, gateways, the proxy front, the job runner, the CLI, wiring):
// adapters point at the domain, never the other way round.
func TestDomainImportsNoAdapter(t *testing.T) {
	domain := []string{"account", "catalog", "inventory", "request", "rental", "message", "callback", "proxy", "check", "idempotency"}
	adapters := []string{"api", "app", "cli", "gateway", "jobs", "proxy/front", "proxy/redial", "smsactivate", "web"}
	root := filepath.Join("..")
	for _, pkg := range domain {
		files, err := filepath.Glob(filepath.Join(root, pkg, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("package %s: no files (%v)", pkg, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, a := range adapters {
					if path == "mdnhub/internal/"+a || strings.HasPrefix(path, "mdnhub/internal/"+a+"/") {
						t.Errorf("%s imports the adapter package %s", f, path)
					}
				}
			}
		}
	}
}
