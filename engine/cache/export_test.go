package cache

import "time"

// SetClock replaces the clock that stamps index records (tests move it forward to make records
// trusted without waiting RacyMargin).
func SetClock(c *Cache, now func() time.Time) { c.now = now }

// SetPackThresholds makes c pack a batch once it holds minEntries entries and close a pack once
// it holds maxBytes (tests use small batches).
func SetPackThresholds(c *Cache, minEntries, maxBytes int) {
	c.packLim.minEntries, c.packLim.maxBytes = minEntries, maxBytes
}
