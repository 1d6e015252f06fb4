package dataset

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Task is what a catalog's examples are for.
type Task string

// The tasks a catalog can hold.
const (
	Classify Task = "classify" // one label per item
	Regress  Task = "regress"  // numeric targets per item
	Pairs    Task = "pairs"    // same/different pairs of items
)

// Subset names used by list-defined splits (Item.Subset, Pair.Subset).
const (
	SubsetTrain = "train"
	SubsetVal   = "val"
	SubsetTest  = "test"
)

// Item is one example: a file, or a segment of one.
type Item struct {
	// ID is stable and unique in the catalog: the path relative to the root with forward
	// slashes, the manifest's id, or for a segment its parent's ID and "#k".
	ID string
	// Path is the file to read (the root joined with the relative path).
	Path string
	// Label is the class after class rules; RawLabel is what the layout said (the folder, the
	// word, the file-name field) before merging or the 12-label mapping.
	Label, RawLabel string
	// Group keeps related items on one side of a split (the speaker, the source clip).
	Group string
	// Take is the repetition index from the file name ("0" of FSDD's 3_theo_0.wav), if any.
	Take string
	// Fold is a predefined cross-validation fold (ESC-50, LFW pairs.txt); 0 means none.
	Fold int
	// Subset is the list-defined subset (SubsetTrain, SubsetVal, SubsetTest) or "".
	Subset string
	// Targets are the regression targets by name (valence, energy, ...).
	Targets map[string]float64
	// Parent is the ID of the clip a segment was cut from; "" for whole files.
	Parent string
	// Offset and Length place a segment in its parent file; Length 0 means the whole file.
	Offset, Length time.Duration
	// Duration, SampleRate, Channels and Frames come from the file's header when the catalog
	// was probed (zero otherwise, and for images and .npy features). For a segment Duration
	// and Frames are its own length.
	Duration   time.Duration
	SampleRate int
	Channels   int
	Frames     int64
	// Shape is the array shape of a precomputed feature (.npy) or an image's [height, width].
	Shape []int
}

// Span returns the segment's first frame and frame count at the item's sample rate; n is -1
// when the item is a whole file.
func (it Item) Span() (start, n int64) {
	if it.Length == 0 {
		return 0, -1
	}
	return framesAt(it.Offset, it.SampleRate), framesAt(it.Length, it.SampleRate)
}

// framesAt converts a duration to a whole number of frames, rounding to the nearest frame.
func framesAt(d time.Duration, rate int) int64 {
	return (int64(d)*int64(rate) + int64(time.Second)/2) / int64(time.Second)
}

// Pair is two items (indices into Catalog.Items) and whether they share an identity.
type Pair struct {
	A, B int
	Same bool
	// Subset is the list-defined subset (pairsDevTrain.txt is SubsetTrain), or "".
	Subset string
	// Fold is the fold of LFW's pairs.txt (1-10); 0 means none.
	Fold int
	// Source and Line name where the pair was read ("" and 0 for generated pairs).
	Source string
	Line   int
}

// Class is a label and how many items carry it.
type Class struct {
	Name  string
	Count int
}

// Problem is something in the dataset that could not be used: an unreadable or wrongly named
// file, a malformed line, a missing file named by a list, an empty class.
type Problem struct {
	Path string // the file (or folder) concerned
	Line int    // 1-based line in Path, 0 when not about a line
	Err  error
}

// Error formats the problem as "path:line: reason".
func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", p.Path, p.Line, p.Err)
	}
	return fmt.Sprintf("%s: %v", p.Path, p.Err)
}

// Unwrap returns the reason.
func (p Problem) Unwrap() error { return p.Err }

// Applied reports one rule that changed the catalog: a class merge, a drop, ignored folders,
// the Speech Commands 12-label task, segmentation, generated pairs.
type Applied struct {
	Rule    string   // "merge", "drop", "ignore", "keywords", "segment", "pairs"
	Detail  string   // one human sentence
	Classes []string // the classes concerned, if any
	Items   int      // how many items it affected
}

// Catalog is a scanned dataset.
type Catalog struct {
	Root   string
	Layout string // the layout's name (see Layouts)
	Why    string // how the layout was recognised
	Task   Task
	Items  []Item
	Pairs  []Pair
	// Classes are the labels with their counts, sorted by name.
	Classes []Class
	// Targets are the regression target names, sorted.
	Targets []string
	// Noise holds background-noise files (Speech Commands' _background_noise_); they are not
	// examples, but augmentation and the "silence" class use them.
	Noise []Item
	// Problems are the files and lines that could not be used, in the order found.
	Problems []Problem
	// Applied lists the rules that changed the catalog, in order.
	Applied []Applied
	// Notes are facts worth showing that are not problems (list entries naming absent files
	// in a subset of Speech Commands, for instance).
	Notes []string
}

// Groups returns the distinct non-empty groups, sorted.
func (c *Catalog) Groups() []string {
	seen := map[string]bool{}
	for _, it := range c.Items {
		if it.Group != "" {
			seen[it.Group] = true
		}
	}
	return sortedKeys(seen)
}

// ClassNames returns the class names in the order of Classes.
func (c *Catalog) ClassNames() []string {
	names := make([]string, len(c.Classes))
	for i, cl := range c.Classes {
		names[i] = cl.Name
	}
	return names
}

// SameDifferent counts the same and the different pairs.
func (c *Catalog) SameDifferent() (same, different int) {
	for _, p := range c.Pairs {
		if p.Same {
			same++
		} else {
			different++
		}
	}
	return same, different
}

// Durations returns the minimum, median and maximum item duration (zero when no item has one).
func (c *Catalog) Durations() (lo, median, hi time.Duration) {
	var ds []time.Duration
	for _, it := range c.Items {
		if it.Duration > 0 {
			ds = append(ds, it.Duration)
		}
	}
	if len(ds) == 0 {
		return 0, 0, 0
	}
	slices.Sort(ds)
	n := len(ds)
	median = ds[n/2]
	if n%2 == 0 {
		median = (ds[n/2-1] + ds[n/2]) / 2
	}
	return ds[0], median, ds[n-1]
}

// SampleRates counts the items at each sample rate (items without one are not counted).
func (c *Catalog) SampleRates() map[int]int {
	rates := map[int]int{}
	for _, it := range c.Items {
		if it.SampleRate > 0 {
			rates[it.SampleRate]++
		}
	}
	return rates
}

// recount recomputes Classes and Targets from the items.
func (c *Catalog) recount() {
	counts := map[string]int{}
	targets := map[string]bool{}
	for _, it := range c.Items {
		if it.Label != "" {
			counts[it.Label]++
		}
		for k := range it.Targets {
			targets[k] = true
		}
	}
	c.Classes = c.Classes[:0]
	for _, name := range sortedKeys(counts) {
		c.Classes = append(c.Classes, Class{Name: name, Count: counts[name]})
	}
	c.Targets = sortedKeys(targets)
}

// keep retains the items for which ok returns true, remapping pair indices and dropping pairs
// that lost an item. It returns how many pairs were dropped.
func (c *Catalog) keep(ok func(Item) bool) (droppedPairs int) {
	remap := make([]int, len(c.Items))
	kept := c.Items[:0]
	for i, it := range c.Items {
		if ok(it) {
			remap[i] = len(kept)
			kept = append(kept, it)
		} else {
			remap[i] = -1
		}
	}
	// Clear the tail so that dropped items do not linger in the backing array.
	clear(c.Items[len(kept):])
	c.Items = kept
	pairs := c.Pairs[:0]
	for _, p := range c.Pairs {
		if remap[p.A] < 0 || remap[p.B] < 0 {
			droppedPairs++
			continue
		}
		p.A, p.B = remap[p.A], remap[p.B]
		pairs = append(pairs, p)
	}
	c.Pairs = pairs
	return droppedPairs
}

func (c *Catalog) problem(path string, line int, err error) {
	c.Problems = append(c.Problems, Problem{Path: path, Line: line, Err: err})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
