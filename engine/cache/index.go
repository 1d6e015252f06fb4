package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// fileStat is what the index compares to decide that a file has not changed since it was
// hashed. Times are nanoseconds since the Unix epoch; ctime, dev and ino are 0 where the
// platform does not report them.
type fileStat struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64
}

// indexRecord maps a path (the SHA-256 of its absolute form) in a given state to its content.
type indexRecord struct {
	path     [32]byte
	st       fileStat
	recorded int64 // when the file was hashed, nanoseconds since the epoch; 0 = never trust
	sum      Sum
}

// A record on disk is recordSize bytes, little-endian: magic uint32, path [32]byte, dev, ino,
// size, mtime, ctime, recorded (8 bytes each), sum [32]byte, 8 zero bytes, CRC-32C of the
// preceding bytes (uint32).
const (
	recordSize  = 128
	recordMagic = 0x31495848 // "HXI1"
	// flushBytes is how much the index buffers before appending to its log.
	flushBytes = 256 * recordSize
)

// index is the stat index: an in-memory map loaded from, and appended to, an append-only log.
// Records appended by several processes at once may interleave; each is checksummed and the
// loader resynchronises on the next valid record, so the worst outcome is a lost record, which
// only costs a hash.
type index struct {
	log     string
	mu      sync.Mutex
	m       map[[32]byte]indexRecord
	pending []byte
}

func pathKey(abs string) [32]byte { return sha256.Sum256([]byte(abs)) }

// loadIndex reads the log at path (absent is empty). When more than half of the log is
// superseded records, it is rewritten (to a temporary file renamed over it); a record another
// process appends to the old log meanwhile is lost, which only costs a hash.
func loadIndex(path string) (*index, error) {
	ix := &index{log: path, m: map[[32]byte]indexRecord{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ix, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cache index %s: %w", path, err)
	}
	records := 0
	for off := 0; off+recordSize <= len(b); {
		rec, ok := decodeRecord(b[off : off+recordSize])
		if !ok {
			off++ // a torn or interleaved write: look for the next valid record
			continue
		}
		ix.m[rec.path] = rec
		records++
		off += recordSize
	}
	if records > 2*len(ix.m)+1024 {
		ix.compact() // best effort: a failure leaves the longer, equally valid log
	}
	return ix, nil
}

func (ix *index) compact() {
	buf := make([]byte, 0, len(ix.m)*recordSize)
	for _, rec := range ix.m {
		buf = appendRecord(buf, rec)
	}
	f, err := os.CreateTemp(filepath.Dir(ix.log), filepath.Base(ix.log)+".tmp-*")
	if err != nil {
		return
	}
	_, err = f.Write(buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), ix.log)
	}
	if err != nil {
		os.Remove(f.Name())
	}
}

// lookup returns the content hash recorded for the file at abs when its state is st and the
// record is trusted: written at least margin after the file's last modification and change.
func (ix *index) lookup(abs string, st fileStat, margin time.Duration) (Sum, bool) {
	ix.mu.Lock()
	rec, ok := ix.m[pathKey(abs)]
	ix.mu.Unlock()
	if !ok || rec.st != st || rec.recorded == 0 {
		return Sum{}, false
	}
	return rec.sum, rec.recorded-max(st.mtime, st.ctime) >= int64(margin)
}

// record notes that the file at abs, in state st, hashed to sum at time now (0: never trust).
// It reports an error only when appending to the log failed.
func (ix *index) record(abs string, st fileStat, sum Sum, now int64) error {
	rec := indexRecord{path: pathKey(abs), st: st, recorded: now, sum: sum}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.m[rec.path] = rec
	ix.pending = appendRecord(ix.pending, rec)
	if len(ix.pending) >= flushBytes {
		return ix.flushLocked()
	}
	return nil
}

// flush appends the buffered records to the log in one write.
func (ix *index) flush() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.flushLocked()
}

func (ix *index) flushLocked() error {
	if len(ix.pending) == 0 {
		return nil
	}
	buf := ix.pending
	ix.pending = nil
	f, err := os.OpenFile(ix.log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("cache index %s: %w", ix.log, err)
	}
	_, err = f.Write(buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cache index %s: %w", ix.log, err)
	}
	return nil
}

// reset forgets every record (the log itself is removed by the caller).
func (ix *index) reset() {
	ix.mu.Lock()
	ix.m = map[[32]byte]indexRecord{}
	ix.pending = nil
	ix.mu.Unlock()
}

func appendRecord(b []byte, rec indexRecord) []byte {
	le := binary.LittleEndian
	start := len(b)
	b = le.AppendUint32(b, recordMagic)
	b = append(b, rec.path[:]...)
	b = le.AppendUint64(b, rec.st.dev)
	b = le.AppendUint64(b, rec.st.ino)
	b = le.AppendUint64(b, uint64(rec.st.size))
	b = le.AppendUint64(b, uint64(rec.st.mtime))
	b = le.AppendUint64(b, uint64(rec.st.ctime))
	b = le.AppendUint64(b, uint64(rec.recorded))
	b = append(b, rec.sum[:]...)
	b = append(b, make([]byte, 8)...)
	return le.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

func decodeRecord(b []byte) (indexRecord, bool) {
	le := binary.LittleEndian
	if le.Uint32(b) != recordMagic || crc32.Checksum(b[:recordSize-4], castagnoli) != le.Uint32(b[recordSize-4:]) {
		return indexRecord{}, false
	}
	var rec indexRecord
	copy(rec.path[:], b[4:36])
	rec.st.dev = le.Uint64(b[36:])
	rec.st.ino = le.Uint64(b[44:])
	rec.st.size = int64(le.Uint64(b[52:]))
	rec.st.mtime = int64(le.Uint64(b[60:]))
	rec.st.ctime = int64(le.Uint64(b[68:]))
	rec.recorded = int64(le.Uint64(b[76:]))
	copy(rec.sum[:], b[84:116])
	return rec, true
}
