package cache

import "time"

// SetClock replaces the clock that stamps index records (tests move it forward to make records
// trusted without waiting RacyMargin).
func SetClock(c *Cache, now func() time.Time) { c.now = now }
