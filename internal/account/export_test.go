package account

import "time"

// TrustCacheUnchecked makes s trust its cache without reading the change
// count, as when notifications arrive: benchmarks compare the two ways.
func TrustCacheUnchecked(s *Service) { s.cache.setNotified(true) }

// SetListenPing shortens the auth listener's quiet time before a ping.
func SetListenPing(s *Service, d time.Duration) { s.pingEvery = d }
