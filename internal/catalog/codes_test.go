package catalog_test

import (
	"context"
	"errors"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
)

// Service codes: the defaults name the catalog's services by name; the
// operator's rows override them, add codes, turn codes off, and go away
// again; a hidden service has no code in force.
func TestServiceCodes(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		google := e.Service(t, "Google", 100, 0)
		e.Service(t, "Amazon", 50, 0)
		other := e.Service(t, "Other", 20, 0)
		hidden, err := e.Catalog.Put(ctx, catalog.Service{Name: "OldApp", PriceCents: 30})
		if err != nil {
			t.Fatal(err)
		}
		byCode := func(code string) (string, error) {
			s, err := e.Catalog.ServiceByCode(ctx, code)
			return s.Name, err
		}
		for code, want := range map[string]string{"go": "Google", "GO": "Google", " am ": "Amazon"} {
			if got, err := byCode(code); err != nil || got != want {
				t.Errorf("%q: %q %v, want %s", code, got, err, want)
			}
		}
		// Defaults whose service is not in the catalog, unknown and
		// malformed codes.
		for _, code := range []string{"wa", "ot", "zz", "", "g o", "go;", "abcdefghijklmnopq"} {
			if _, err := byCode(code); !errors.Is(err, catalog.ErrUnknownCode) {
				t.Errorf("%q: %v, want ErrUnknownCode", code, err)
			}
		}

		// The operator maps ot, overrides am, turns go off, maps a code to
		// a hidden service.
		for _, c := range []struct{ code, service string }{{"ot", "other"}, {"AM", "Google"}, {"go", ""}, {"old", "OldApp"}} {
			if err := e.Catalog.SetServiceCode(ctx, c.code, c.service); err != nil {
				t.Fatalf("set %s: %v", c.code, err)
			}
		}
		if got, err := byCode("ot"); err != nil || got != "Other" {
			t.Errorf("ot: %q %v", got, err)
		}
		if got, err := byCode("am"); err != nil || got != "Google" {
			t.Errorf("am: %q %v", got, err)
		}
		for _, code := range []string{"go", "old"} {
			if _, err := byCode(code); !errors.Is(err, catalog.ErrUnknownCode) {
				t.Errorf("%s: %v, want ErrUnknownCode", code, err)
			}
		}
		if err := e.Catalog.SetServiceCode(ctx, "xx", "Nope"); !errors.Is(err, catalog.ErrUnknownService) {
			t.Errorf("unknown service: %v", err)
		}
		if err := e.Catalog.SetServiceCode(ctx, "x y", "Google"); !errors.Is(err, catalog.ErrInvalid) {
			t.Errorf("bad code: %v", err)
		}

		codes, err := e.Catalog.ServiceCodes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]catalog.ServiceCode{}
		for i, sc := range codes {
			got[sc.Code] = sc
			if i > 0 && codes[i-1].Code >= sc.Code {
				t.Fatalf("not sorted by code: %v", codes)
			}
		}
		if len(codes) != len(catalog.DefaultServiceCodes)+2 {
			t.Errorf("%d codes, want the %d defaults and ot, old", len(codes), len(catalog.DefaultServiceCodes))
		}
		check := func(code string, id int64, target string, operator, off bool) {
			t.Helper()
			sc := got[code]
			if sc.Service.ID != id || sc.Target != target || sc.Operator != operator || sc.Off != off {
				t.Errorf("%s: %+v, want service %d target %q operator %v off %v", code, sc, id, target, operator, off)
			}
		}
		check("go", 0, "", true, true)
		check("am", google.ID, "Google", true, false)
		check("ot", other.ID, "Other", true, false)
		check("old", 0, "OldApp", true, false)
		check("wa", 0, "WhatsApp", false, false)
		if got["go"].Default != "Google" || got["ot"].Default != "" {
			t.Errorf("defaults: go %q ot %q", got["go"].Default, got["ot"].Default)
		}
		// Google's code is the operator's am now; Other's is ot.
		of := catalog.CodesOf(codes)
		if of[google.ID] != "am" || of[other.ID] != "ot" || of[hidden.ID] != "" {
			t.Errorf("CodesOf: %v", of)
		}

		// Deleting the operator's rows brings the defaults back.
		for _, code := range []string{"go", "am"} {
			if err := e.Catalog.DeleteServiceCode(ctx, code); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := byCode("go"); err != nil || got != "Google" {
			t.Errorf("go after delete: %q %v", got, err)
		}
		if got, err := byCode("am"); err != nil || got != "Amazon" {
			t.Errorf("am after delete: %q %v", got, err)
		}
		if err := e.Catalog.DeleteServiceCode(ctx, "am"); !errors.Is(err, catalog.ErrUnknownCode) {
			t.Errorf("second delete: %v", err)
		}
		// Showing the hidden service again brings its code into force.
		hidden.Enabled = true
		if _, err := e.Catalog.Put(ctx, hidden); err != nil {
			t.Fatal(err)
		}
		if got, err := byCode("old"); err != nil || got != "OldApp" {
			t.Errorf("old when shown: %q %v", got, err)
		}
	})
}
