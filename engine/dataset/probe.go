package dataset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // LFW's images
	_ "image/png"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/hark-audio/hark/features/audio"
	"github.com/sbinet/npyio/npy"
)

// probeAll reads the header of every item and noise file in parallel, fills durations, sample
// rates and shapes, and turns every file that cannot be read into a problem and drops it.
func (o *opener) probeAll() {
	c := o.c
	workers := o.spec.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	all := make([]*Item, 0, len(c.Items)+len(c.Noise))
	for i := range c.Items {
		all = append(all, &c.Items[i])
	}
	for i := range c.Noise {
		all = append(all, &c.Noise[i])
	}
	errs := make([]error, len(all))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(all)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = probeItem(all[i])
			}
		}()
	}
	for i := range all {
		next <- i
	}
	close(next)
	wg.Wait()

	failed := map[string]bool{}
	for i, err := range errs {
		if err != nil {
			c.problem(all[i].Path, 0, err)
			failed[all[i].Path] = true
		}
	}
	if len(failed) == 0 {
		return
	}
	if n := c.keep(func(it Item) bool { return !failed[it.Path] }); n > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("%d pairs dropped: one of their files is unreadable", n))
	}
	noise := c.Noise[:0]
	for _, nz := range c.Noise {
		if !failed[nz.Path] {
			noise = append(noise, nz)
		}
	}
	c.Noise = noise
}

// probeItem reads one file's header into the item.
func probeItem(it *Item) error {
	switch mediaOf(it.Path) {
	case MediaNpy:
		shape, err := probeNpy(it.Path)
		if err != nil {
			return err
		}
		it.Shape = shape
		return nil
	case MediaImage:
		f, err := os.Open(it.Path)
		if err != nil {
			return fmt.Errorf("unreadable image: %w", withoutPath(err, it.Path))
		}
		defer f.Close()
		cfg, format, err := image.DecodeConfig(f)
		if err != nil {
			return fmt.Errorf("unreadable image: %w", err)
		}
		if cfg.Width <= 0 || cfg.Height <= 0 {
			return fmt.Errorf("empty %s image (%dx%d)", format, cfg.Width, cfg.Height)
		}
		it.Shape = []int{cfg.Height, cfg.Width}
		return nil
	}
	info, err := audio.Probe(it.Path)
	if err != nil {
		if st, serr := os.Stat(it.Path); serr == nil && st.Size() == 0 {
			return errors.New("empty file (0 bytes)")
		}
		return fmt.Errorf("unreadable audio: %w", withoutPath(err, it.Path))
	}
	if info.Frames == 0 {
		return fmt.Errorf("empty audio: no sample frames (%s, %d Hz)", info.Format, info.SampleRate)
	}
	it.SampleRate, it.Channels = info.SampleRate, info.Channels
	if info.Frames > 0 {
		it.Frames, it.Duration = info.Frames, info.Duration()
	}
	return nil
}

// probeNpy reads a .npy header and checks that the file holds all the data it declares.
func probeNpy(name string) ([]int, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("unreadable .npy: %w", withoutPath(err, name))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("unreadable .npy: %w", err)
	}
	if st.Size() == 0 {
		return nil, errors.New("empty file (0 bytes)")
	}
	r, err := npy.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("unreadable .npy: %w", err)
	}
	// The data starts after the magic (6), the version (2), the header length (2 bytes in
	// version 1, 4 in later versions) and the header itself.
	var pre [12]byte
	if _, err := f.ReadAt(pre[:], 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("unreadable .npy: %w", err)
	}
	var offset int64
	if pre[6] == 1 {
		offset = 10 + int64(binary.LittleEndian.Uint16(pre[8:10]))
	} else {
		offset = 12 + int64(binary.LittleEndian.Uint32(pre[8:12]))
	}
	size, err := dtypeSize(r.Header.Descr.Type)
	if err != nil {
		return nil, fmt.Errorf(".npy: %w", err)
	}
	n := int64(1)
	for _, d := range r.Header.Descr.Shape {
		if d < 0 {
			return nil, fmt.Errorf(".npy: negative dimension in shape %v", r.Header.Descr.Shape)
		}
		n *= int64(d)
		if n > st.Size() {
			// Every value takes at least a byte; stop before a lying shape overflows.
			return nil, fmt.Errorf("truncated .npy: shape %v does not fit in %d bytes", r.Header.Descr.Shape, st.Size())
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("empty .npy: shape %v holds no values", r.Header.Descr.Shape)
	}
	if want := offset + n*size; st.Size() < want {
		return nil, fmt.Errorf("truncated .npy: shape %v of %s needs %d bytes, the file has %d", r.Header.Descr.Shape, r.Header.Descr.Type, want, st.Size())
	}
	return append([]int(nil), r.Header.Descr.Shape...), nil
}

// dtypeSize reads the item size from a NumPy type string such as "<f4" or "|u1".
func dtypeSize(t string) (int64, error) {
	i := strings.IndexAny(t, "0123456789")
	if i < 0 {
		return 0, fmt.Errorf("data type %q has no size", t)
	}
	n, err := strconv.Atoi(t[i:])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("data type %q has no size", t)
	}
	return int64(n), nil
}
