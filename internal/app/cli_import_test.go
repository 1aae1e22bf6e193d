package app

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs one command with an empty environment (besides env) and
// returns its exit code, stdout and stderr.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &CLI{Stdout: &out, Stderr: &errOut,
		Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Environ: func() []string {
			var kv []string
			for k, v := range env {
				kv = append(kv, k+"="+v)
			}
			return kv
		},
	}
	code := c.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

func TestNumbersImportCLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mdnhub.db")
	bad := writeFile(t, "numbers.csv", "mdn,carrier,state,gateway,short_rental\n# one good, one bad\n12125550100,TMobile,NY,,\n\n13105550102,ATT,CA,,maybe\n")
	code, _, stderr := runCLI(t, nil, "numbers", "import", "-db", db, bad)
	if code != 1 || stderr != "mdnhub: "+bad+":5: short_rental must be true or false, got \"maybe\"\n" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// The whole file is refused, the good line too.
	if _, stdout, _ := runCLI(t, nil, "numbers", "list", "-db", db); strings.Contains(stdout, "12125550100") {
		t.Fatalf("a line of a bad file was stored:\n%s", stdout)
	}
	good := writeFile(t, "good.csv", "12125550100,TMobile,NY,,\n13105550102,ATT,CA,smsc1,true\n13105550103,ATT,CA,smsc1,\n")
	code, stdout, stderr := runCLI(t, nil, "numbers", "import", "-db", db, good)
	if code != 0 || stdout != "imported 3 numbers (3 new, 0 updated)\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if strings.Count(stderr, "warning") != 1 || !strings.Contains(stderr, `gateway "smsc1" is not declared`) {
		t.Errorf("undeclared gateway warning: %q", stderr)
	}
	if code, _, stderr = runCLI(t, nil, "numbers", "import", "-db", db); code != 2 || !strings.Contains(stderr, "give one CSV file") {
		t.Errorf("no file: exit %d, %q", code, stderr)
	}
}

func TestServicesImportCLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mdnhub.db")
	bad := writeFile(t, "services.csv", `name,price,ltr_price,ltr_short_price,lifetime
# prices in dollars
Google,1.00,20,5,15m

Amazon,abc
Uber,0.50,,,soon
google,2.00
,1.00
Lyft,1.00,1,1,1m,extra
Ebay
`)
	code, _, stderr := runCLI(t, nil, "services", "import", "-db", db, bad)
	want := "mdnhub: " + bad + `:5: price: invalid amount "abc": use dollars with at most two decimals
` + bad + `:6: lifetime "soon" is not a duration such as 15m
` + bad + `:7: service google is already on line 3
` + bad + `:8: name is empty
` + bad + `:9: 6 columns, want at most 5: name,price,ltr_price,ltr_short_price,lifetime
` + bad + `:10: price is empty
`
	if code != 1 || stderr != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
	if _, stdout, _ := runCLI(t, nil, "services", "list", "-db", db); strings.Contains(stdout, "Google") {
		t.Fatalf("a line of a bad file was saved:\n%s", stdout)
	}
	// What only the catalog checks is reported at its line too.
	long := writeFile(t, "long.csv", "# lifetimes\nGoogle,1.00\n\nAmazon,1.00,,,48h\n")
	code, _, stderr = runCLI(t, nil, "services", "import", "-db", db, long)
	if code != 1 || !strings.HasPrefix(stderr, "mdnhub: "+long+":4: invalid service: lifetime") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
