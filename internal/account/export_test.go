package account

// TrustCacheUnchecked makes s trust its cache without reading the change
// count, as when notifications arrive: benchmarks compare the two ways.
func TrustCacheUnchecked(s *Service) { s.cache.setNotified(true) }
