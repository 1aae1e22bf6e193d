package request_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"mdnhub/internal/app/apptest"
	"mdnhub/internal/catalog"
	"mdnhub/internal/inventory"
	"mdnhub/internal/request"
)

// 200 concurrent requests for one service against 50 numbers: exactly 50
// reservations, 150 "none available", no number held twice, and every
// balance equal to its ledger.
func TestConcurrentRequests(t *testing.T) {
	apptest.ForEachDB(t, func(t *testing.T, e *apptest.Env) {
		svc := e.Service(t, "Google", 100, 0)
		e.Numbers(t, apptest.Seq("212", 50)...)
		const users, perUser = 20, 10
		ids := make([]int64, users)
		for i := range ids {
			u, _ := e.User(t, 5000)
			ids[i] = u.ID
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			won     = map[string]int64{}
			none    int
			unknown []error
		)
		start := make(chan struct{})
		for i := 0; i < users*perUser; i++ {
			wg.Add(1)
			go func(uid int64) {
				defer wg.Done()
				<-start
				rs, err := e.Requests.Create(ctx, request.Ask{UserID: uid, Services: []catalog.Service{svc}})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					r := rs[0]
					if prev, dup := won[r.MDN]; dup {
						unknown = append(unknown, fmt.Errorf("%s given to requests %d and %d", r.MDN, prev, r.ID))
					}
					won[r.MDN] = r.ID
				case errors.Is(err, inventory.ErrNoneAvailable):
					none++
				default:
					unknown = append(unknown, err)
				}
			}(ids[i%users])
		}
		close(start)
		wg.Wait()
		for _, err := range unknown {
			t.Error(err)
		}
		if len(won) != 50 || none != 150 {
			t.Fatalf("got %d reservations and %d none-available, want 50 and 150", len(won), none)
		}
		var spent int64
		for _, id := range ids {
			spent += 5000 - e.Balance(t, id)
		}
		if spent != 50*100 {
			t.Fatalf("charged %d cents in all, want %d", spent, 50*100)
		}
		e.CheckLedger(t)
	})
}
