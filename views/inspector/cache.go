package inspector

import (
	"github.com/hark-audio/hark/engine/augment"
	"github.com/hark-audio/hark/engine/extract"
)

// cacheSize bounds the results kept: a 30 s clip's spectrogram is about 5 MB, so a few dozen
// keep browsing fast while memory stays flat however many clips are visited.
const cacheSize = 24

// outcome is one computation's result or error; errors are kept too, so that a clip that
// cannot be read is not read again on every redraw.
type outcome struct {
	res *extract.Result
	cmp *augment.Comparison // an augmentation preview
	err error
}

// cache keeps the most recently used outcomes by (clip, configuration) key.
type cache struct {
	entries map[string]outcome
	order   []string // least recently used first
}

func newCache() *cache { return &cache{entries: map[string]outcome{}} }

// get looks k up without changing the order, so that View can call it.
func (c *cache) get(k string) (outcome, bool) {
	o, ok := c.entries[k]
	return o, ok
}

// use reports whether k is cached and marks it as recently used.
func (c *cache) use(k string) bool {
	_, ok := c.entries[k]
	if ok {
		c.touch(k)
	}
	return ok
}

func (c *cache) put(k string, o outcome) {
	if _, ok := c.entries[k]; !ok && len(c.order) >= cacheSize {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[k] = o
	c.touch(k)
}

// touch moves k to the most recently used end.
func (c *cache) touch(k string) {
	for i, o := range c.order {
		if o == k {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	c.order = append(c.order, k)
}

// cacheKey names a computation: the file and the configuration.
func cacheKey(path string, cfg extract.Config) string { return path + "\x00" + cfg.Key() }
