package dataset

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"slices"
	"strings"
	"time"
)

const (
	noiseDir = "_background_noise_"
	valList  = "validation_list.txt"
	testList = "testing_list.txt"
)

// Streams separate the random sequences drawn from one seed, so that (for instance) changing the
// silence count does not reshuffle the unknown items.
const (
	streamUnknown = 0x756e6b6e6f776e // "unknown"
	streamSilence = 0x73696c656e6365 // "silence"
	streamSplit   = 0x73706c6974     // "split"
	streamPairs   = 0x7061697273     // "pairs"
	// streamPairGroups is the group split of a pair list ("pair"; the value runs recorded
	// before the split moved here from engine/train used, so that their splits do not change).
	streamPairGroups = 0x70616972
)

func newRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// wordFolders returns the top-level folders holding audio, other than _background_noise_ and
// other folders starting with "_".
func (o *opener) wordFolders() []string {
	var words []string
	for _, d := range o.t.subdirs(".") {
		if !strings.HasPrefix(d, "_") {
			words = append(words, d)
		}
	}
	return words
}

// detectSpeechCommands recognises word folders next to the list files or the noise folder.
func (o *opener) detectSpeechCommands() (string, error) {
	var marks []string
	for _, f := range []string{valList, testList} {
		if o.t.has(f) {
			marks = append(marks, f)
		}
	}
	if o.t.dirs[noiseDir] {
		marks = append(marks, noiseDir+"/")
	}
	if len(marks) == 0 {
		return "", fmt.Errorf("no %s, %s or %s/", valList, testList, noiseDir)
	}
	n := 0
	for _, d := range o.wordFolders() {
		if len(o.t.media(d, o.media)) > 0 {
			n++
		}
	}
	if n == 0 {
		return "", errors.New("no word folders holding audio")
	}
	return fmt.Sprintf("%d word folders next to %s (Speech Commands)", n, strings.Join(marks, ", ")), nil
}

// buildSpeechCommands makes one item per clip (label = word, group = the speaker hash before
// _nohash_, take = the number after it), sets each item's subset from the list files, and keeps
// the noise files apart. List entries naming absent files are ignored and counted: the official
// lists name every clip of the full dataset. Entries are matched without their extension, so
// the lists also place precomputed features (yes/x.npy for yes/x.wav).
func (o *opener) buildSpeechCommands() error {
	c := o.c
	c.Task = Classify
	index := map[string]int{}
	for _, dir := range o.wordFolders() {
		files := o.t.media(dir, o.media)
		if len(files) == 0 {
			c.problem(o.t.abs(dir), 0, fmt.Errorf("empty word folder: no %s files", o.media))
			continue
		}
		word := path.Base(dir)
		o.declare(word, o.t.abs(dir))
		for _, f := range files {
			it := Item{ID: f, Path: o.t.abs(f), Label: word, RawLabel: word}
			stem := strings.TrimSuffix(path.Base(f), path.Ext(f))
			if speaker, take, ok := strings.Cut(stem, "_nohash_"); ok {
				it.Group, it.Take = speaker, take
			} else {
				// Without the marker the whole stem is the speaker, as the dataset's own
				// which_set() does.
				it.Group = stem
			}
			index[stemOf(f)] = len(c.Items)
			c.Items = append(c.Items, it)
		}
	}
	for _, f := range o.t.media(noiseDir, MediaAudio) {
		c.Noise = append(c.Noise, Item{ID: f, Path: o.t.abs(f)})
	}
	listedIn := map[string]string{}
	for _, l := range []struct{ file, subset string }{{valList, SubsetVal}, {testList, SubsetTest}} {
		if !o.t.has(l.file) {
			continue
		}
		name := o.t.abs(l.file)
		f, err := os.Open(name)
		if err != nil {
			c.problem(name, 0, fmt.Errorf("cannot read list: %w", err))
			continue
		}
		entries, problems := parseList(f, name)
		f.Close()
		c.Problems = append(c.Problems, problems...)
		present := 0
		for _, e := range entries {
			i, ok := index[stemOf(e.Path)]
			if !ok {
				continue
			}
			if prev, dup := listedIn[e.Path]; dup {
				c.problem(name, e.Line, fmt.Errorf("%s is also listed in %s; kept there", e.Path, prev))
				continue
			}
			listedIn[e.Path] = l.file
			c.Items[i].Subset = l.subset
			present++
		}
		c.Notes = append(c.Notes, fmt.Sprintf("%s: %d entries, %d present, %d name absent files (ignored)",
			l.file, len(entries), present, len(entries)-present))
	}
	for i := range c.Items {
		if c.Items[i].Subset == "" {
			c.Items[i].Subset = SubsetTrain
		}
	}
	return nil
}

// keywordTask turns a probed Speech Commands catalog into the 12-label task. Per subset, the
// target words keep their items, "unknown" is a seeded sample of the other words' items sized
// UnknownShare of the target items, and the rest of the other words is left out. "silence" is
// SilenceCount segments cut from the noise files, shared among the subsets in proportion to
// their target items; each subset cuts from its own stretch of every noise file (train from the
// start, then val, then test) so no noise sample is in two subsets.
func (o *opener) keywordTask() error {
	c := o.c
	if c.Layout != LayoutSpeechCommands && c.Layout != LayoutSpeechCommands12 {
		return fmt.Errorf("dataset %s: the keyword task needs the Speech Commands layout, not %s", c.Root, c.Layout)
	}
	c.Layout = LayoutSpeechCommands12
	spec := KeywordSpec{}
	if o.spec.Keywords != nil {
		spec = *o.spec.Keywords
	}
	words := spec.Words
	if len(words) == 0 {
		words = DefaultKeywords()
	}
	share := spec.UnknownShare
	if share == 0 {
		share = 0.1
	}
	if math.IsNaN(share) || math.IsInf(share, 0) {
		return fmt.Errorf("dataset %s: unknown share %v is not a number", c.Root, share)
	}
	seglen := spec.SilenceLength
	if seglen == 0 {
		seglen = time.Second
	}
	if seglen < 0 {
		return fmt.Errorf("dataset %s: silence length %v is negative", c.Root, seglen)
	}
	target := map[string]bool{}
	for _, w := range words {
		if w == "unknown" || w == "silence" {
			return fmt.Errorf("dataset %s: %q cannot be a target word: it names one of the task's own classes", c.Root, w)
		}
		target[w] = true
	}
	present := map[string]bool{}
	for _, it := range c.Items {
		present[it.RawLabel] = true
	}
	for _, w := range words {
		if !present[w] {
			return fmt.Errorf("dataset %s: target word %q has no readable clip", c.Root, w)
		}
	}

	subsets := []string{SubsetTrain, SubsetVal, SubsetTest}
	known := map[string]int{}
	others := map[string][]int{}
	for i, it := range c.Items {
		if target[it.RawLabel] {
			known[it.Subset]++
		} else {
			others[it.Subset] = append(others[it.Subset], i)
		}
	}
	rng := newRand(spec.Seed, streamUnknown)
	unknown := map[int]bool{}
	nOthers := 0
	for _, s := range subsets {
		pool := others[s]
		nOthers += len(pool)
		n := 0
		if share > 0 {
			n = min(int(math.Ceil(share*float64(known[s]))), len(pool))
		}
		rng.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
		for _, i := range pool[:n] {
			unknown[i] = true
		}
	}
	for i := range c.Items {
		if unknown[i] {
			c.Items[i].Label = "unknown"
		}
	}
	c.keep(func(it Item) bool { return target[it.RawLabel] || it.Label == "unknown" })

	totalKnown := known[SubsetTrain] + known[SubsetVal] + known[SubsetTest]
	nSilence := spec.SilenceCount
	if nSilence == 0 {
		nSilence = int(math.Ceil(0.1 * float64(totalKnown)))
	}
	silence := 0
	if nSilence > 0 {
		var err error
		if silence, err = o.cutSilence(nSilence, seglen, spec.Seed, known, totalKnown, spec.SilenceCount > 0); err != nil {
			return err
		}
	}
	c.Applied = append(c.Applied, Applied{Rule: "keywords", Classes: append(slices.Clone(words), "unknown", "silence"),
		Items: len(c.Items),
		Detail: fmt.Sprintf("12-label task: %d target words (%d clips); unknown = %d of %d other-word clips (share %.2f of each subset, seed %d); silence = %d segments of %v cut from %d noise files; %d other-word clips left out",
			len(words), totalKnown, len(unknown), nOthers, share, spec.Seed, silence, seglen, len(c.Noise), nOthers-len(unknown))})
	return nil
}

// cutSilence appends n silence segments of length seglen. It returns how many it cut; with no
// usable noise that is an error only when the count was asked for explicitly.
func (o *opener) cutSilence(n int, seglen time.Duration, seed uint64, known map[string]int, totalKnown int, explicit bool) (int, error) {
	c := o.c
	var noise []Item
	for _, nz := range c.Noise {
		if nz.SampleRate > 0 && nz.Duration >= seglen {
			noise = append(noise, nz)
		}
	}
	if len(noise) == 0 || totalKnown == 0 {
		if explicit {
			return 0, fmt.Errorf("dataset %s: silence needs readable background noise of at least %v in %s/", c.Root, seglen, noiseDir)
		}
		c.Notes = append(c.Notes, fmt.Sprintf("no readable background noise of at least %v in %s/: no silence class", seglen, noiseDir))
		return 0, nil
	}
	subsets := []string{SubsetTrain, SubsetVal, SubsetTest}
	shares := make([]float64, len(subsets))
	for i, s := range subsets {
		shares[i] = float64(known[s]) / float64(totalKnown)
	}
	counts := apportion(n, shares)
	rng := newRand(seed, streamSilence)
	cut := 0
	lo := 0.0
	perParent := map[string]int{}
	for si, s := range subsets {
		hi := lo + shares[si]
		for k := 0; k < counts[si]; k++ {
			nz := noise[rng.IntN(len(noise))]
			frames := nz.Duration.Seconds() * float64(nz.SampleRate)
			seg := float64(framesAt(seglen, nz.SampleRate))
			first, last := math.Ceil(lo*frames), math.Floor(hi*frames-seg)
			if last < first {
				c.Notes = append(c.Notes, fmt.Sprintf("%s: its %s stretch is shorter than %v; one silence segment fewer", nz.ID, s, seglen))
				continue
			}
			start := int64(first) + rng.Int64N(int64(last-first)+1)
			offset := time.Duration(start) * time.Second / time.Duration(nz.SampleRate)
			id := fmt.Sprintf("%s#%d", nz.ID, perParent[nz.ID])
			perParent[nz.ID]++
			c.Items = append(c.Items, Item{ID: id, Path: nz.Path, Label: "silence", RawLabel: "silence",
				Group: nz.ID, Subset: s, Parent: nz.ID, Offset: offset, Length: seglen, Duration: seglen,
				SampleRate: nz.SampleRate, Channels: nz.Channels})
			cut++
		}
		lo = hi
	}
	return cut, nil
}

// apportion splits n into integer parts proportional to shares (which sum to 1) by the
// largest-remainder method; ties go to the earlier part.
func apportion(n int, shares []float64) []int {
	counts := make([]int, len(shares))
	rem := make([]float64, len(shares))
	left := n
	for i, s := range shares {
		exact := s * float64(n)
		counts[i] = int(math.Floor(exact))
		rem[i] = exact - float64(counts[i])
		left -= counts[i]
	}
	for ; left > 0; left-- {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		counts[best]++
		rem[best] = -1
	}
	return counts
}

// stemOf is a relative path without its extension.
func stemOf(rel string) string { return strings.TrimSuffix(rel, path.Ext(rel)) }
