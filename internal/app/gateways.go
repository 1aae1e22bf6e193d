package app

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"

	"mdnhub/internal/gateway/httppush"
	"mdnhub/internal/gateway/smpp"
)

// addGateways builds the gateways declared in the configuration and adds
// them to the registry beside the simulator.
func (a *App) addGateways() error {
	names := make([]string, 0, len(a.Config.Gateways))
	for name := range a.Config.Gateways {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		kv := a.Config.Gateways[name]
		log := a.Log.With("gateway", name)
		switch kv["kind"] {
		case "httppush":
			cfg, err := httppush.FromSettings(name, kv)
			if err != nil {
				return err
			}
			if err := a.Gateways.Add(httppush.New(cfg, a.Messages, log)); err != nil {
				return err
			}
		case "smpp":
			cfg, err := smpp.FromSettings(name, kv)
			if err != nil {
				return err
			}
			if err := a.Gateways.Add(smpp.New(cfg, a.Messages, log, a.Registry)); err != nil {
				return err
			}
		default:
			return fmt.Errorf("gateway %s: kind %q is not available", name, kv["kind"])
		}
	}
	return nil
}

// runGateways runs every gateway until ctx ends; Wait on the result waits
// for them to stop.
func (a *App) runGateways(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, g := range a.Gateways.All() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.Run(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("gateway stopped", "gateway", g.Name(), "err", err)
			}
		}()
	}
	return &wg
}

// gatewayPush routes /gateway/<name>/<action> to the HTTP-push gateway of
// that name.
func (a *App) gatewayPush(w http.ResponseWriter, r *http.Request) {
	for _, g := range a.Gateways.All() {
		if push, ok := g.(*httppush.Gateway); ok && g.Name() == r.PathValue("name") {
			push.ServeHTTP(w, r, r.PathValue("action"))
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte(`{"status":"error","message":"no such push gateway"}` + "\n"))
}
