package cache

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A pack file holds many entries of one group (format, FeaturesVersion, Options.Version and
// configuration), so that reopening a filled cache reads one index per pack instead of opening
// one file per entry. All integers are little-endian:
//
//	magic    [8]byte  "HARKPK" + FormatVersion as two digits
//	entries  each exactly as an entry file holds it (its own key, length and CRC-32C)
//	index    count x (key [32]byte, offset uint64, length uint64)
//	footer   indexOffset uint64, count uint64, crc uint32 (CRC-32C of the index and the two
//	         footer fields before it), 4 zero bytes, magic [8]byte "HARKPKIX"
//
// A pack is written to a temporary file in its folder and renamed into place once complete,
// and is never modified afterwards. Its name is a 16-digit hexadecimal sequence number (the
// time it was written in nanoseconds, or one past the largest its writer had seen) followed by
// the temporary file's random part, so that names never collide and a later pack sorts after
// the packs its writer knew of: where two packs hold the same key, the later one is used.
const (
	packExt        = ".hpk"
	packFooterSize = 32
	packRecSize    = 48
	packTmpPrefix  = ".tmp-"
	// A batch packs its entries once it holds packMinEntries of them or packMinBytes: smaller
	// batches are written as entry files, so that extracting a few files at a time does not
	// leave a pack per call.
	packMinEntries = 64
	packMinBytes   = 4 << 20
	// A pack is closed and renamed into place once it holds packMaxBytes or has been open for
	// packMaxAge, so that a crash loses little work and other processes see the entries soon.
	packMaxBytes = 256 << 20
	packMaxAge   = 2 * time.Minute
	// staleTmpAge is how old an abandoned temporary pack (its writer crashed) must be for a
	// reader to remove it: a live writer touches its file at least every packMaxAge.
	staleTmpAge = 24 * time.Hour
)

var packFooterMagic = [8]byte{'H', 'A', 'R', 'K', 'P', 'K', 'I', 'X'}

func packMagic() [8]byte {
	var m [8]byte
	copy(m[:], fmt.Sprintf("HARKPK%02d", FormatVersion))
	return m
}

// packThresholds are the limits above, per Cache so that tests can lower them.
type packThresholds struct {
	minEntries, minBytes, maxBytes int
	maxAge                         time.Duration
}

var defaultPackThresholds = packThresholds{packMinEntries, packMinBytes, packMaxBytes, packMaxAge}

// packRec locates one entry in a pack.
type packRec struct {
	key      [32]byte
	off, len int64
}

// packLoc locates an entry in an open pack.
type packLoc struct {
	f        *os.File
	seq      uint64
	off, len int64
}

// packSet is the packs of one group: an index from key to record, loaded on first use from
// every pack in the group's folder and extended with the packs this process writes. Packs that
// other processes write after it was loaded are seen by the next Cache opened.
type packSet struct {
	c    *Cache
	dir  string
	once sync.Once
	mu   sync.RWMutex
	m    map[[32]byte]packLoc
	seq  uint64 // the largest sequence number seen
	// seen holds the packs read from since the set was loaded; the first read of each marks
	// the pack used (Cache.markUsed).
	seen sync.Map
}

// group names the pack folder of a configuration key under this cache's versions.
func (c *Cache) group(cfgKey string) string {
	h := sha256.New()
	fmt.Fprintf(h, "hark feature pack group\x00format %d\x00features %s\x00version %s\x00config %s",
		FormatVersion, FeaturesVersion, c.version, cfgKey)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func (c *Cache) packsFolder() string { return filepath.Join(c.dir, entryFolder(), "packs") }

// packs returns the (loaded) pack set of cfgKey.
func (c *Cache) packs(cfgKey string) *packSet {
	g := c.group(cfgKey)
	c.packsMu.Lock()
	ps := c.packSets[g]
	if ps == nil {
		ps = &packSet{c: c, dir: filepath.Join(c.packsFolder(), g), m: map[[32]byte]packLoc{}}
		c.packSets[g] = ps
	}
	c.packsMu.Unlock()
	ps.once.Do(ps.load)
	return ps
}

// load reads the index of every pack in the folder, oldest first. A pack whose index fails its
// checks is counted in Stats.Corrupt and removed (a pack is complete when renamed into place,
// so only damage makes it fail); its entries are recomputed. Temporary packs abandoned by a
// crashed writer are removed once stale.
func (ps *packSet) load() {
	des, err := os.ReadDir(ps.dir)
	if err != nil {
		return // none yet, or unreadable: entries are recomputed or read from entry files
	}
	type named struct {
		seq  uint64
		name string
	}
	var packs []named
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, packTmpPrefix) {
			if fi, err := de.Info(); err == nil && time.Since(fi.ModTime()) > staleTmpAge {
				os.Remove(filepath.Join(ps.dir, name))
			}
			continue
		}
		seq, ok := packSeq(name)
		if !ok {
			continue
		}
		packs = append(packs, named{seq, name})
	}
	slices.SortFunc(packs, func(a, b named) int { return strings.Compare(a.name, b.name) })
	for _, p := range packs {
		path := filepath.Join(ps.dir, p.name)
		f, recs, err := openPack(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			if errors.Is(err, errCorrupt) {
				ps.c.corrupt.Add(1)
				os.Remove(path)
			}
			continue
		}
		ps.add(f, p.seq, recs)
	}
}

// packSeq parses the sequence number that starts a pack's name.
func packSeq(name string) (uint64, bool) {
	if !strings.HasSuffix(name, packExt) || len(name) < 16+len(packExt) {
		return 0, false
	}
	seq, err := strconv.ParseUint(name[:16], 16, 64)
	return seq, err == nil
}

// add indexes the records of the pack open as f; a key already indexed is taken from this pack.
func (ps *packSet) add(f *os.File, seq uint64, recs []packRec) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, r := range recs {
		ps.m[r.key] = packLoc{f: f, seq: seq, off: r.off, len: r.len}
	}
	ps.seq = max(ps.seq, seq)
}

func (ps *packSet) lookup(key [32]byte) (packLoc, bool) {
	ps.mu.RLock()
	loc, ok := ps.m[key]
	ps.mu.RUnlock()
	return loc, ok
}

// used marks the pack open as f used, on its first read in this set.
func (ps *packSet) used(f *os.File) {
	if _, again := ps.seen.LoadOrStore(f, true); again {
		return
	}
	if fi, err := f.Stat(); err == nil {
		ps.c.markUsed(f.Name(), fi.ModTime().UnixNano())
	}
}

// forget drops key's record when it is still loc (a damaged record).
func (ps *packSet) forget(key [32]byte, loc packLoc) {
	ps.mu.Lock()
	if ps.m[key] == loc {
		delete(ps.m, key)
	}
	ps.mu.Unlock()
}

// nextSeq is the sequence number of a new pack: the time, or one past every pack seen.
func (ps *packSet) nextSeq() uint64 {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	seq := max(uint64(time.Now().UnixNano()), ps.seq+1)
	ps.seq = seq
	return seq
}

// openPack opens the pack at path and reads its index: the footer, then the index in one read.
// A pack that fails any check is errCorrupt.
func openPack(path string) (*os.File, []packRec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	recs, err := readPackIndex(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, recs, nil
}

func readPackIndex(f *os.File) ([]packRec, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	magic := packMagic()
	if size < int64(len(magic))+packFooterSize {
		return nil, fmt.Errorf("%w: pack of %d bytes", errCorrupt, size)
	}
	var foot [packFooterSize]byte
	if _, err := f.ReadAt(foot[:], size-packFooterSize); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	if string(foot[24:]) != string(packFooterMagic[:]) {
		return nil, fmt.Errorf("%w: pack footer magic %q", errCorrupt, foot[24:])
	}
	idxOff, count := le.Uint64(foot[0:]), le.Uint64(foot[8:])
	body := uint64(size) - packFooterSize
	if idxOff < uint64(len(magic)) || idxOff > body || count != (body-idxOff)/packRecSize || (body-idxOff)%packRecSize != 0 {
		return nil, fmt.Errorf("%w: pack index at %d with %d records in %d bytes", errCorrupt, idxOff, count, size)
	}
	b := make([]byte, body-idxOff+16)
	if _, err := f.ReadAt(b, int64(idxOff)); err != nil {
		return nil, err
	}
	if got, want := crc32.Checksum(b, castagnoli), le.Uint32(foot[16:]); got != want {
		return nil, fmt.Errorf("%w: pack index checksum %08x, want %08x", errCorrupt, got, want)
	}
	var head [8]byte
	if _, err := f.ReadAt(head[:], 0); err != nil {
		return nil, err
	}
	if head != magic {
		return nil, fmt.Errorf("%w: pack magic %q, want %q", errCorrupt, head[:], magic[:])
	}
	recs := make([]packRec, count)
	for i := range recs {
		p := b[i*packRecSize:]
		r := &recs[i]
		copy(r.key[:], p)
		off, n := le.Uint64(p[32:]), le.Uint64(p[40:])
		if off < uint64(len(magic)) || off > idxOff || n > idxOff-off {
			return nil, fmt.Errorf("%w: pack record %d at %d+%d outside the entries", errCorrupt, i, off, n)
		}
		r.off, r.len = int64(off), int64(n)
	}
	return recs, nil
}

// packEntries is how many entries the pack at path holds (0 for a damaged pack), for Usage.
func packEntries(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	recs, err := readPackIndex(f)
	if err != nil {
		return 0
	}
	return len(recs)
}

// packWriter gathers one Each call's entries, the computed ones and those read from entry
// files, into packs. It holds the first few entries back until the batch is large enough to be
// worth a pack; a batch that stays smaller is written as entry files. It is safe for
// concurrent use.
type packWriter struct {
	c   *Cache
	ps  *packSet
	lim packThresholds

	mu        sync.Mutex
	held      []heldEntry // before the batch is known to be large enough
	heldBytes int
	f         *os.File // the open temporary pack, nil when none
	bw        *bufio.Writer
	off       int64
	recs      []packRec
	loose     []string // entry files whose entries are in the open pack, removed once it is renamed
	opened    time.Time
}

type heldEntry struct {
	key   [32]byte
	b     []byte
	loose string // the entry file it was read from; "" for a computed entry
}

func (c *Cache) newPackWriter(ps *packSet) *packWriter {
	return &packWriter{c: c, ps: ps, lim: c.packLim}
}

// add takes the encoded entry b of key; loose names the entry file it was read from ("" for a
// computed entry). The writer keeps b.
func (w *packWriter) add(key [32]byte, b []byte, loose string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		w.held = append(w.held, heldEntry{key, b, loose})
		w.heldBytes += len(b)
		if len(w.held) < w.lim.minEntries && w.heldBytes < w.lim.minBytes {
			return
		}
		if err := w.open(); err != nil {
			w.c.storeFailed(err)
			w.storeHeld()
			return
		}
		held := w.held
		w.held, w.heldBytes = nil, 0
		for _, h := range held {
			w.write(h)
		}
	} else {
		w.write(heldEntry{key, b, loose})
	}
	if w.f != nil && (w.off >= int64(w.lim.maxBytes) || time.Since(w.opened) >= w.lim.maxAge) {
		w.close()
	}
}

// finish closes the open pack and writes held entries as entry files.
func (w *packWriter) finish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil {
		w.close()
	}
	w.storeHeld()
}

// storeHeld writes the held computed entries as entry files (those read from one are there).
func (w *packWriter) storeHeld() {
	for _, h := range w.held {
		if h.loose == "" {
			if err := w.c.storeBytes(h.key, h.b); err != nil {
				w.c.storeFailed(err)
			}
		}
	}
	w.held, w.heldBytes = nil, 0
}

func (w *packWriter) open() error {
	if err := os.MkdirAll(w.ps.dir, 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	f, err := os.CreateTemp(w.ps.dir, packTmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	w.f, w.bw, w.opened = f, bufio.NewWriterSize(f, 1<<20), time.Now()
	magic := packMagic()
	w.bw.Write(magic[:]) // a write error is reported by Flush
	w.off, w.recs, w.loose = int64(len(magic)), nil, nil
	return nil
}

func (w *packWriter) write(h heldEntry) {
	w.bw.Write(h.b)
	w.recs = append(w.recs, packRec{h.key, w.off, int64(len(h.b))})
	w.off += int64(len(h.b))
	if h.loose != "" {
		w.loose = append(w.loose, h.loose)
	}
}

// close completes the open pack, renames it into place, indexes it in the pack set and removes
// the entry files it took in. On failure the temporary file is removed: the computed entries in
// it are lost (recomputed when next asked for) and the entry files it took in are kept.
func (w *packWriter) close() bool {
	f, tmp := w.f, w.f.Name()
	w.f = nil
	le := binary.LittleEndian
	idx := make([]byte, 0, len(w.recs)*packRecSize+packFooterSize)
	for _, r := range w.recs {
		idx = append(idx, r.key[:]...)
		idx = le.AppendUint64(idx, uint64(r.off))
		idx = le.AppendUint64(idx, uint64(r.len))
	}
	idx = le.AppendUint64(idx, uint64(w.off))
	idx = le.AppendUint64(idx, uint64(len(w.recs)))
	idx = le.AppendUint32(idx, crc32.Checksum(idx, castagnoli))
	idx = append(idx, 0, 0, 0, 0)
	idx = append(idx, packFooterMagic[:]...)
	w.bw.Write(idx)
	err := w.bw.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	seq := w.ps.nextSeq()
	final := filepath.Join(w.ps.dir, fmt.Sprintf("%016x%s%s", seq, strings.TrimPrefix(filepath.Base(tmp), packTmpPrefix), packExt))
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		w.c.storeFailed(fmt.Errorf("cache: pack %s: %w", final, err))
		return false
	}
	w.c.bytesWritten.Add(w.off + int64(len(idx)))
	if rf, err := os.Open(final); err == nil {
		w.ps.add(rf, seq, w.recs)
	}
	for _, p := range w.loose {
		os.Remove(p) // its entry is in the pack; a reader that misses both recomputes it
	}
	w.recs, w.loose = nil, nil
	return true
}

// writeSinglePack writes the entry b of key as a pack of its own, which supersedes a damaged
// record of key in an older pack. Where no pack can be written it stores an entry file, and
// reports false.
func (c *Cache) writeSinglePack(ps *packSet, key [32]byte, b []byte) bool {
	w := c.newPackWriter(ps)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.open(); err != nil {
		c.storeFailed(err)
		if err := c.storeBytes(key, b); err != nil {
			c.storeFailed(err)
		}
		return false
	}
	w.write(heldEntry{key: key, b: b})
	return w.close()
}
