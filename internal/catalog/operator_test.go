package catalog_test

import (
	"context"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
)

// All lists hidden services too, which List (the customers' list) leaves out.
func TestAllIncludesHidden(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		e.Service(t, "Google", 100, 0)
		if _, err := e.Catalog.Put(ctx, catalog.Service{Name: "OldApp", PriceCents: 30}); err != nil {
			t.Fatal(err)
		}
		all, err := e.Catalog.All(ctx)
		if err != nil || len(all) != 2 || all[0].Name != "Google" || all[1].Name != "OldApp" || all[1].Enabled {
			t.Fatalf("all %+v, %v", all, err)
		}
		if shown, _ := e.Catalog.List(ctx); len(shown) != 1 {
			t.Fatalf("list %+v", shown)
		}
	})
}
