package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hark-audio/hark/engine/extract"
)

// FormatVersion is the version of the entry and index formats; it names the entry folder, so a
// new format starts an empty cache beside the old one.
const FormatVersion = 1

// FeaturesVersion is mixed into every key. Bump it whenever features/ or engine/extract change
// the values they compute for an unchanged Config, so that no stale features are served. It is a
// constant of this package rather than engine.Version because engine imports the training code,
// which uses this package; callers who want entries tied to a release as well pass that in
// Options.Version.
const FeaturesVersion = "1"

// RacyMargin is how much older than its index record a file's modification and change times
// must be for the record to be trusted without hashing the file again. It exceeds the timestamp
// granularity of every common file system (FAT's two seconds included).
const RacyMargin = 2 * time.Second

// EnvDir is the environment variable naming Hark's cache root; features go in its "features"
// folder.
const EnvDir = "HARK_CACHE"

// Options configures a Cache. The zero value is the default cache.
type Options struct {
	// Dir is the cache folder; "" means DefaultDir().
	Dir string
	// Version is mixed into every key besides FeaturesVersion (engine.Version, for instance);
	// entries written under another Version are not seen.
	Version string
	// NoIndex hashes every file on every call instead of trusting the stat index.
	NoIndex bool
}

// Sum is the SHA-256 of a file's bytes.
type Sum [32]byte

// SumBytes returns the content hash of data.
func SumBytes(data []byte) Sum { return sha256.Sum256(data) }

// String is the hash in hexadecimal.
func (s Sum) String() string { return hex.EncodeToString(s[:]) }

// Stats counts what a Cache did since it was opened. All counts are safe to read while
// extraction runs.
type Stats struct {
	Hits   int64 // features read from disk
	Misses int64 // features computed (and stored)
	// Corrupt counts entries that failed their checks; each was removed and recomputed.
	Corrupt int64
	// Hashed counts files read to hash their content (the stat index avoids most on reopen).
	Hashed int64
	// StoreErrors counts entries or index records that could not be written; the features were
	// still returned. LastStoreError is the most recent such error.
	StoreErrors    int64
	LastStoreError error
	BytesRead      int64 // entry bytes read
	BytesWritten   int64 // entry bytes written
}

// Cache is a feature cache in one folder. It is safe for concurrent use, and several processes
// may use the same folder at once.
type Cache struct {
	dir     string
	version string
	idx     *index // nil with Options.NoIndex
	now     func() time.Time
	packLim packThresholds

	packsMu  sync.Mutex
	packSets map[string]*packSet // by group, loaded on first use
	damaged  sync.Map            // keys whose pack record failed its checks, until replaced

	hits, misses, corrupt, hashed, storeErrs, bytesRead, bytesWritten atomic.Int64
	lastStoreErr                                                      atomic.Value // error
}

// DefaultDir is $HARK_CACHE/features when HARK_CACHE is set, else the user cache directory's
// hark/features ($XDG_CACHE_HOME/hark/features, or ~/.cache/hark/features, on Linux).
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return filepath.Join(d, "features"), nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache: no user cache directory (set %s): %w", EnvDir, err)
	}
	return filepath.Join(base, "hark", "features"), nil
}

// Default opens the cache in DefaultDir with default options.
func Default() (*Cache, error) { return New(Options{}) }

// Open opens (creating it if needed) the cache in dir with default options.
func Open(dir string) (*Cache, error) { return New(Options{Dir: dir}) }

// New opens (creating it if needed) the cache that opt describes and loads its stat index.
func New(opt Options) (*Cache, error) {
	dir := opt.Dir
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := os.MkdirAll(filepath.Join(dir, entryFolder()), 0o755); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	c := &Cache{dir: dir, version: opt.Version, now: time.Now, packLim: defaultPackThresholds, packSets: map[string]*packSet{}}
	if !opt.NoIndex {
		ix, err := loadIndex(c.indexPath())
		if err != nil {
			return nil, err
		}
		c.idx = ix
	}
	return c, nil
}

// Dir returns the cache folder.
func (c *Cache) Dir() string { return c.dir }

// Stats returns the counts so far.
func (c *Cache) Stats() Stats {
	s := Stats{
		Hits: c.hits.Load(), Misses: c.misses.Load(), Corrupt: c.corrupt.Load(), Hashed: c.hashed.Load(),
		StoreErrors: c.storeErrs.Load(), BytesRead: c.bytesRead.Load(), BytesWritten: c.bytesWritten.Load(),
	}
	s.LastStoreError, _ = c.lastStoreErr.Load().(error)
	return s
}

// Usage is what the cache holds on disk.
type Usage struct {
	Entries int   // entry files and pack records (a key in two places counts twice)
	Packs   int   // pack files
	Bytes   int64 // the entries', packs' and index's lengths (the file system rounds each up to a block)
	// Stale is the bytes held by other format versions' folders and indexes (left by older or
	// newer releases of hark; this one never reads them). Clear removes them too.
	Stale int64
}

// Usage walks the cache folder and totals its entries and packs.
func (c *Cache) Usage() (Usage, error) {
	var u Usage
	if fi, err := os.Stat(c.indexPath()); err == nil {
		u.Bytes += fi.Size()
	}
	err := c.eachStored(func(p string, fi fs.FileInfo, isPack bool) error {
		u.add(p, fi, isPack)
		return nil
	})
	if err != nil {
		return u, err
	}
	stale, err := c.staleFormats()
	for _, p := range stale {
		n, serr := treeBytes(p)
		u.Stale += n
		err = errors.Join(err, serr)
	}
	return u, err
}

// staleFormats lists the folders and index files that other format versions left in the cache
// folder: "v<N>" and "index-v<N>.log" with N other than FormatVersion.
func (c *Cache) staleFormats() ([]string, error) {
	des, err := os.ReadDir(c.dir)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	var stale []string
	for _, de := range des {
		name, num := de.Name(), ""
		switch {
		case de.IsDir() && strings.HasPrefix(name, "v"):
			num = name[1:]
		case !de.IsDir() && strings.HasPrefix(name, "index-v") && strings.HasSuffix(name, ".log"):
			num = strings.TrimSuffix(strings.TrimPrefix(name, "index-v"), ".log")
		}
		if v, err := strconv.Atoi(num); err == nil && v >= 0 && v != FormatVersion {
			stale = append(stale, filepath.Join(c.dir, name))
		}
	}
	return stale, nil
}

// treeBytes totals the lengths of the files under path (a file or a folder).
func treeBytes(path string) (int64, error) {
	var n int64
	err := filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		if fi, err := d.Info(); err == nil {
			n += fi.Size()
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("cache: %w", err)
	}
	return n, nil
}

// Clear removes every entry and pack of this format, the stat index, and what other format
// versions left behind. Another process filling the cache meanwhile may leave a few entries or
// packs behind; they stay valid.
func (c *Cache) Clear() error {
	stale, err := c.staleFormats()
	for _, p := range stale {
		err = errors.Join(err, os.RemoveAll(p))
	}
	if err != nil {
		return fmt.Errorf("cache: clear %s: %w", c.dir, err)
	}
	if c.idx != nil {
		c.idx.reset()
	}
	c.packsMu.Lock()
	c.packSets = map[string]*packSet{} // open packs are closed when no longer referenced
	c.packsMu.Unlock()
	err = errors.Join(os.RemoveAll(filepath.Join(c.dir, entryFolder())), os.Remove(c.indexPath()))
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	if err == nil {
		err = os.MkdirAll(filepath.Join(c.dir, entryFolder()), 0o755)
	}
	if err != nil {
		return fmt.Errorf("cache: clear %s: %w", c.dir, err)
	}
	return nil
}

const entryExt = ".hfc"

// usedEvery is how stale an entry file's or pack's modification time may be before a read
// sets it to now: the time is the entry's last use, which Prune goes by, and refreshing it at
// most this often keeps reads from writing metadata every time.
const usedEvery = time.Hour

// markUsed sets the modification time of the entry file or pack at path to now, when its
// recorded time (nanoseconds) is older than usedEvery. Failing is harmless: the entry only
// looks older to Prune.
func (c *Cache) markUsed(path string, mtime int64) {
	if now := c.now(); now.UnixNano()-mtime > int64(usedEvery) {
		os.Chtimes(path, now, now)
	}
}

// Prune removes the entry files and packs not read or written for unused (they are recomputed
// when next needed) and returns what it removed. Each pack goes as a whole, so an entry read
// recently keeps the others of its pack.
func (c *Cache) Prune(unused time.Duration) (Usage, error) {
	var gone Usage
	cutoff := c.now().Add(-unused)
	err := c.eachStored(func(p string, fi fs.FileInfo, isPack bool) error {
		if !fi.ModTime().Before(cutoff) {
			return nil
		}
		gone.add(p, fi, isPack) // before the removal: a pack's entries are read from it
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cache: %w", err)
		}
		return nil
	})
	if gone.Packs > 0 {
		c.packsMu.Lock()
		c.packSets = map[string]*packSet{} // reloaded on next use, without the removed packs
		c.packsMu.Unlock()
	}
	return gone, err
}

// eachStored calls fn for every entry file and pack of this format (not temporary ones).
func (c *Cache) eachStored(fn func(path string, fi fs.FileInfo, isPack bool) error) error {
	return filepath.WalkDir(filepath.Join(c.dir, entryFolder()), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("cache: %w", err)
		}
		isPack := strings.HasSuffix(p, packExt) && !strings.HasPrefix(d.Name(), packTmpPrefix)
		if d.IsDir() || !strings.HasSuffix(p, entryExt) && !isPack {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed meanwhile (an entry file just packed)
		}
		if err != nil {
			return fmt.Errorf("cache: %w", err)
		}
		return fn(p, fi, isPack)
	})
}

// add counts the entry file or pack at p.
func (u *Usage) add(p string, fi fs.FileInfo, isPack bool) {
	u.Bytes += fi.Size()
	if isPack {
		u.Packs++
		u.Entries += packEntries(p)
	} else {
		u.Entries++
	}
}

func entryFolder() string { return fmt.Sprintf("v%d", FormatVersion) }

func (c *Cache) indexPath() string {
	return filepath.Join(c.dir, fmt.Sprintf("index-v%d.log", FormatVersion))
}

// key is the entry key of content sum under the configuration key cfgKey.
func (c *Cache) key(sum Sum, cfgKey string) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "hark feature cache\x00format %d\x00features %s\x00version %s\x00config %s\x00content ",
		FormatVersion, FeaturesVersion, c.version, cfgKey)
	h.Write(sum[:])
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *Cache) entryPath(key [32]byte) string {
	name := hex.EncodeToString(key[:])
	return filepath.Join(c.dir, entryFolder(), name[:2], name+entryExt)
}

func (c *Cache) storeFailed(err error) {
	c.storeErrs.Add(1)
	c.lastStoreErr.Store(err)
}

// Hash returns the content hash of the file at path, from the stat index when it has a trusted
// record of the file in its present state, else by reading and hashing the file.
func (c *Cache) Hash(path string) (Sum, error) {
	sum, _, err := c.hash(path, false)
	if err == nil && c.idx != nil {
		if ferr := c.idx.flush(); ferr != nil {
			c.storeFailed(ferr)
		}
	}
	return sum, err
}

// hash resolves path's content hash. With the index it may return no data; with want it always
// returns the bytes it hashed. Errors name the file.
func (c *Cache) hash(path string, want bool) (Sum, []byte, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Sum{}, nil, fmt.Errorf("cache: %s: %w", path, err)
	}
	var st fileStat
	if c.idx != nil && !want {
		fi, err := os.Stat(abs)
		if err != nil {
			return Sum{}, nil, fmt.Errorf("cache: %w", err)
		}
		st = statOf(fi)
		if sum, ok := c.idx.lookup(abs, st, RacyMargin); ok {
			return sum, nil, nil
		}
	}
	data, st, err := readFile(abs)
	if err != nil {
		return Sum{}, nil, fmt.Errorf("cache: %w", err)
	}
	c.hashed.Add(1)
	sum := SumBytes(data)
	if c.idx != nil {
		if err := c.idx.record(abs, st, sum, c.now().UnixNano()); err != nil {
			c.storeFailed(err)
		}
	}
	return sum, data, nil
}

// readFile reads the file at path and returns its bytes with the state it had before they were
// read: a change while reading gives a newer state than the one recorded, so the index record
// will not match it. A file that shrinks while being read yields the bytes present.
func readFile(path string) ([]byte, fileStat, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileStat{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fileStat{}, err
	}
	data := make([]byte, fi.Size())
	n, err := io.ReadFull(f, data)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fileStat{}, fmt.Errorf("%s: %w", path, err)
	}
	return data[:n], statOf(fi), nil
}

// Get returns the cached features of content sum under cfg, from a pack or an entry file. A
// missing, unreadable or corrupt entry is a miss (a corrupt entry file is removed; a corrupt
// pack record is superseded by the next Put of its key).
func (c *Cache) Get(sum Sum, cfg extract.Config) (*extract.Result, bool) {
	cfgKey := cfg.Key()
	key := c.key(sum, cfgKey)
	r, ok, _ := c.loadPacked(c.packs(cfgKey), key)
	if !ok {
		r, _, ok = c.loadLoose(key)
	}
	if ok {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return r, ok
}

// Put stores r as the features of content sum under cfg, atomically: as an entry file, or as
// a pack of its own when it replaces a damaged pack record.
func (c *Cache) Put(sum Sum, cfg extract.Config, r *extract.Result) error {
	cfgKey := cfg.Key()
	key := c.key(sum, cfgKey)
	b, err := encodeEntry(key, r)
	if err != nil {
		return fmt.Errorf("cache: %s: %w", c.entryPath(key), err)
	}
	if _, damaged := c.damaged.LoadAndDelete(key); damaged {
		c.writeSinglePack(c.packs(cfgKey), key, b)
		return nil
	}
	return c.storeBytes(key, b)
}

// loadPacked reads and checks key's record in ps. damaged reports a record that failed its
// checks: it is counted, forgotten, and noted in c.damaged so that its replacement is written
// where it supersedes the record.
func (c *Cache) loadPacked(ps *packSet, key [32]byte) (r *extract.Result, ok, damaged bool) {
	loc, ok := ps.lookup(key)
	if !ok {
		return nil, false, false
	}
	start := time.Now()
	b := make([]byte, loc.len)
	_, err := loc.f.ReadAt(b, loc.off)
	if err == nil {
		c.bytesRead.Add(loc.len)
		r, err = decodeEntry(key, b)
	}
	if err != nil {
		c.corrupt.Add(1)
		ps.forget(key, loc)
		c.damaged.Store(key, struct{}{})
		return nil, false, true
	}
	ps.used(loc.f)
	r.Elapsed = time.Since(start)
	return r, true, false
}

// loadLoose reads and checks the entry file of key, and returns its bytes too.
func (c *Cache) loadLoose(key [32]byte) (*extract.Result, []byte, bool) {
	start := time.Now()
	p := c.entryPath(key)
	b, st, err := readFile(p)
	if err != nil {
		return nil, nil, false
	}
	c.markUsed(p, st.mtime)
	c.bytesRead.Add(int64(len(b)))
	r, err := decodeEntry(key, b)
	if err != nil {
		c.corrupt.Add(1)
		os.Remove(p) // recomputed and rewritten by the caller; a concurrent rewrite is harmless
		return nil, nil, false
	}
	r.Elapsed = time.Since(start)
	return r, b, true
}

// storeBytes writes the encoded entry b of key as an entry file: to a temporary file in its
// final folder, then renamed into place, so that readers and concurrent writers only ever see
// whole entries.
func (c *Cache) storeBytes(key [32]byte, b []byte) error {
	p := c.entryPath(key)
	dir := filepath.Dir(p)
	f, err := os.CreateTemp(dir, ".tmp-*")
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(dir, 0o755); err == nil {
			f, err = os.CreateTemp(dir, ".tmp-*")
		}
	}
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("cache: %s: %w", p, err)
	}
	c.bytesWritten.Add(int64(len(b)))
	return nil
}
