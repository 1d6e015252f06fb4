package dataset

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Split kinds.
const (
	SplitRandom       = "random"        // stratified by class, seeded
	SplitGroup        = "group"         // no group (speaker) in two parts
	SplitLists        = "lists"         // the dataset's own lists (Speech Commands, LFW)
	SplitFSDD         = "fsdd"          // FSDD's official split: takes 0-4 are the test set
	SplitFold         = "fold"          // one predefined fold held out as the test set
	SplitFolds        = "folds"         // cross-validation over the predefined folds
	SplitKFold        = "kfold"         // stratified k-fold cross-validation, seeded
	SplitHoldoutGroup = "holdout-group" // the named groups are the test set
)

// SplitSpec says how to split a catalog. ParseSplitSpec reads the command line's form.
type SplitSpec struct {
	Kind string
	// Fractions are train, val and test for random and group splits (two values: train and
	// val, no test set). They sum to 1.
	Fractions []float64
	// Fold is the held-out fold for SplitFold; K the number of folds for SplitKFold.
	Fold, K int
	// Groups are the held-out groups for SplitHoldoutGroup.
	Groups []string
	// Seed drives the random and group shuffles and k-fold assignment.
	Seed uint64
}

// ParseSplitSpec reads "random:0.8,0.1,0.1", "group:0.8,0.2", "lists", "fsdd", "fold:3",
// "folds", "kfold:5" or "holdout-group:theo[,jackson]". Fractions may be given in percent
// ("80,10,10"). "random" and "group" alone mean 0.8,0.1,0.1. The seed is not part of the text.
func ParseSplitSpec(s string) (SplitSpec, error) {
	kind, arg, hasArg := strings.Cut(strings.TrimSpace(s), ":")
	spec := SplitSpec{Kind: kind}
	bad := func(format string, a ...any) (SplitSpec, error) {
		return SplitSpec{}, fmt.Errorf("split %q: %s", s, fmt.Sprintf(format, a...))
	}
	switch kind {
	case SplitRandom, "stratified", SplitGroup:
		if kind == "stratified" {
			spec.Kind = SplitRandom
		}
		if !hasArg {
			spec.Fractions = []float64{0.8, 0.1, 0.1}
			return spec, nil
		}
		for _, f := range strings.Split(arg, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return bad("fraction %q is not a number", f)
			}
			spec.Fractions = append(spec.Fractions, v)
		}
		if sum(spec.Fractions) > 1.5 {
			for i := range spec.Fractions {
				spec.Fractions[i] /= 100
			}
		}
		if err := spec.checkFractions(); err != nil {
			return bad("%v", err)
		}
	case SplitLists, SplitFSDD, SplitFolds:
		if hasArg {
			return bad("%s takes no argument", kind)
		}
	case SplitFold, SplitKFold:
		n, err := strconv.Atoi(arg)
		if !hasArg || err != nil {
			return bad("want %s:N with a whole number", kind)
		}
		if kind == SplitFold {
			if n <= 0 {
				return bad("fold %d: folds are numbered from 1", n)
			}
			spec.Fold = n
		} else {
			if n < 2 {
				return bad("k-fold needs at least 2 folds")
			}
			spec.K = n
		}
	case SplitHoldoutGroup:
		for _, g := range strings.Split(arg, ",") {
			if g = strings.TrimSpace(g); g != "" {
				spec.Groups = append(spec.Groups, g)
			}
		}
		if len(spec.Groups) == 0 {
			return bad("want holdout-group:NAME[,NAME...]")
		}
	default:
		return bad("unknown kind %q (want random, group, lists, fsdd, fold, folds, kfold or holdout-group)", kind)
	}
	return spec, nil
}

// String writes the spec back in ParseSplitSpec's form.
func (s SplitSpec) String() string {
	switch s.Kind {
	case SplitRandom, SplitGroup:
		parts := make([]string, len(s.Fractions))
		for i, f := range s.Fractions {
			parts[i] = strconv.FormatFloat(f, 'g', -1, 64)
		}
		return s.Kind + ":" + strings.Join(parts, ",")
	case SplitFold:
		return fmt.Sprintf("%s:%d", s.Kind, s.Fold)
	case SplitKFold:
		return fmt.Sprintf("%s:%d", s.Kind, s.K)
	case SplitHoldoutGroup:
		return s.Kind + ":" + strings.Join(s.Groups, ",")
	}
	return s.Kind
}

func (s SplitSpec) checkFractions() error {
	if len(s.Fractions) < 2 || len(s.Fractions) > 3 {
		return fmt.Errorf("want 2 or 3 fractions (train,val[,test]), got %d", len(s.Fractions))
	}
	for _, f := range s.Fractions {
		if !(f >= 0 && f <= 1) {
			return fmt.Errorf("fraction %v is not in [0, 1]", f)
		}
	}
	if math.Abs(sum(s.Fractions)-1) > 1e-6 {
		return fmt.Errorf("fractions sum to %v, not 1", sum(s.Fractions))
	}
	if s.Fractions[0] == 0 {
		return errors.New("the training fraction is 0")
	}
	return nil
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

// Partition is one train/val/test division. Indices refer to Catalog.Items, or to
// Catalog.Pairs for a pair task; each list is sorted.
type Partition struct {
	Train, Val, Test []int
	// LeftOut lists what no part could take (sorted): the pairs of a group split whose two
	// groups fell in different parts.
	LeftOut []int
	// PerClass gives the sizes per class (per "same"/"different" for pairs; one row named
	// "all" for a regression task without labels), in the order of the catalog's classes.
	PerClass []ClassSplit
}

// ClassSplit is one class's share of a partition.
type ClassSplit struct {
	Class            string
	Train, Val, Test int
}

// Splits is the result of Split: one partition, or one per fold for cross-validation
// (Folds[i].Test is fold i).
type Splits struct {
	Spec  SplitSpec
	Folds []Partition
}

// unit is what a split moves as a whole: a clip with all its segments, or a pair.
type unit struct {
	class, group, subset, take string
	fold                       int
	members                    []int
}

// units groups the catalog's items (by clip, so a clip's segments never straddle a split) or
// lists its pairs. Segments of one file in different list subsets (Speech Commands' silence,
// cut from disjoint stretches of each noise file) are separate units.
func units(c *Catalog) []unit {
	if c.Task == Pairs {
		us := make([]unit, len(c.Pairs))
		for i, p := range c.Pairs {
			class := "different"
			if p.Same {
				class = "same"
			}
			us[i] = unit{class: class, subset: p.Subset, fold: p.Fold, members: []int{i}}
		}
		return us
	}
	var us []unit
	byClip := map[string]int{}
	for i, it := range c.Items {
		clip := it.ID
		if it.Parent != "" {
			clip = it.Parent + "\x00" + it.Subset
		}
		if u, ok := byClip[clip]; ok {
			us[u].members = append(us[u].members, i)
			continue
		}
		byClip[clip] = len(us)
		us = append(us, unit{class: it.Label, group: it.Group, subset: it.Subset, take: it.Take, fold: it.Fold, members: []int{i}})
	}
	return us
}

// Subsets are the list-defined subsets of the items, or of the pairs for a pair task ("" when
// some have none).
func (c *Catalog) Subsets() map[string]bool {
	has := map[string]bool{}
	if c.Task == Pairs {
		for _, p := range c.Pairs {
			has[p.Subset] = true
		}
		return has
	}
	for _, it := range c.Items {
		has[it.Subset] = true
	}
	return has
}

// DefaultSplit is the split a dataset gets when none is asked for: its own lists when every
// item (pair) is in one and there is a train list and a validation or test one, else a seeded,
// stratified 80/10/10.
func DefaultSplit(c *Catalog) string {
	has := c.Subsets()
	if has[SubsetTrain] && !has[""] && (has[SubsetVal] || has[SubsetTest]) {
		return SplitLists
	}
	return "random:0.8,0.1,0.1"
}

// Split divides the catalog as spec says. All randomness comes from spec.Seed.
func Split(cat *Catalog, spec SplitSpec) (Splits, error) {
	us := units(cat)
	if len(us) == 0 {
		return Splits{}, errors.New("split: the catalog is empty")
	}
	var parts [][]int // per fold: the part (0 train, 1 val, 2 test) of each unit
	var err error
	switch spec.Kind {
	case SplitRandom:
		if err = spec.checkFractions(); err == nil {
			parts = [][]int{splitRandom(us, spec)}
		}
	case SplitGroup:
		if err = spec.checkFractions(); err == nil {
			var p []int
			if cat.Task == Pairs {
				p, err = splitPairGroups(cat, spec)
			} else {
				p, err = splitGroups(us, spec)
			}
			parts = [][]int{p}
		}
	case SplitLists:
		var p []int
		p, err = byUnit(us, func(u unit) (int, error) {
			switch u.subset {
			case SubsetTrain:
				return 0, nil
			case SubsetVal:
				return 1, nil
			case SubsetTest:
				return 2, nil
			}
			return 0, fmt.Errorf("no list names its subset (layout %s has no list files)", cat.Layout)
		})
		parts = [][]int{p}
	case SplitFSDD:
		var p []int
		p, err = byUnit(us, func(u unit) (int, error) {
			take, err := strconv.Atoi(u.take)
			if err != nil {
				return 0, fmt.Errorf("take %q is not a number (FSDD names are {digit}_{speaker}_{take}.wav)", u.take)
			}
			if take <= 4 {
				return 2, nil
			}
			return 0, nil
		})
		parts = [][]int{p}
	case SplitFold:
		var p []int
		p, err = byFold(us, spec.Fold)
		parts = [][]int{p}
	case SplitFolds:
		parts, err = splitFolds(us)
	case SplitKFold:
		if spec.K < 2 {
			err = fmt.Errorf("k-fold needs at least 2 folds, got %d", spec.K)
		} else if spec.K > len(us) {
			err = fmt.Errorf("k-fold: %d folds but only %d clips or pairs", spec.K, len(us))
		} else {
			parts = splitKFold(us, spec)
		}
	case SplitHoldoutGroup:
		var p []int
		p, err = holdoutGroups(us, spec.Groups)
		parts = [][]int{p}
	default:
		err = fmt.Errorf("unknown kind %q", spec.Kind)
	}
	if err != nil {
		return Splits{}, fmt.Errorf("split %s: %w", spec, err)
	}
	out := Splits{Spec: spec}
	for _, p := range parts {
		out.Folds = append(out.Folds, partition(cat, us, p))
	}
	return out, nil
}

// byUnit assigns every unit by a rule; the first unit the rule rejects fails the split.
func byUnit(us []unit, rule func(unit) (int, error)) ([]int, error) {
	p := make([]int, len(us))
	for i, u := range us {
		var err error
		if p[i], err = rule(u); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// splitRandom shuffles each class's units and cuts them by the fractions, so every class keeps
// the proportions as nearly as whole units allow. Each class first gets the whole part of its
// share; the units left over go to the (class, part) cells with the largest remainders (ties in
// a seeded order) while the part is below its share of the whole catalog. Rounding per class
// alone would always favour the same part: ten classes of 5 clips split 0.8/0.1/0.1 would put
// every leftover clip in val and none in test.
func splitRandom(us []unit, spec SplitSpec) []int {
	rng := newRand(spec.Seed, streamSplit)
	byClass := map[string][]int{}
	for i, u := range us {
		byClass[u.class] = append(byClass[u.class], i)
	}
	classes := sortedKeys(byClass)
	nparts := len(spec.Fractions)
	counts := make([][]int, len(classes))
	left := make([]int, len(classes))
	need := apportion(len(us), spec.Fractions)
	type cell struct {
		class, part int
		rem         float64
	}
	var cells []cell
	for ci, class := range classes {
		n := len(byClass[class])
		counts[ci] = make([]int, nparts)
		left[ci] = n
		for p, f := range spec.Fractions {
			exact := f * float64(n)
			counts[ci][p] = int(math.Floor(exact))
			left[ci] -= counts[ci][p]
			need[p] -= counts[ci][p]
			if r := exact - math.Floor(exact); r > 0 {
				cells = append(cells, cell{ci, p, r})
			}
		}
	}
	rng.Shuffle(len(cells), func(a, b int) { cells[a], cells[b] = cells[b], cells[a] })
	sort.SliceStable(cells, func(a, b int) bool { return cells[a].rem > cells[b].rem })
	give := func(ci, p int) {
		counts[ci][p]++
		left[ci]--
		need[p]--
	}
	for _, c := range cells {
		if left[c.class] > 0 && need[c.part] > 0 {
			give(c.class, c.part)
		}
	}
	// What the remainders could not place goes to any part still short of its share (the
	// shares of all parts add up to the units left, so this always ends).
	for ci := range classes {
		for p := 0; left[ci] > 0 && p < nparts; p++ {
			for left[ci] > 0 && need[p] > 0 {
				give(ci, p)
			}
		}
	}
	part := make([]int, len(us))
	for ci, class := range classes {
		idx := byClass[class]
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		k := 0
		for p, n := range counts[ci] {
			for _, i := range idx[k : k+n] {
				part[i] = p
			}
			k += n
		}
	}
	return part
}

// splitPairGroups divides a pair list so that no group (an LFW person, a speaker) is in two
// parts. Groups joined by a pair (a person and everyone they were paired with, and so on) form
// a component; whole components are assigned, so that no pair is lost: in a seeded order, the
// largest first, each goes to the part least filled relative to its share of the pairs (the
// spec's fractions), so that every part gets large and small components alike (their mix of
// same- and different-person pairs differs). A component too large to place without upsetting
// the shares (more than a tenth of the smallest part's) is broken up into its groups, each
// weighing its own pairs and half of those it shares; a pair whose two groups then land in
// different parts is left out (part -1, Partition.LeftOut). LFW's DevTrain list has no such
// component (the largest holds 21 of its 2,200 pairs), so its 80/20 split keeps every pair.
func splitPairGroups(cat *Catalog, ss SplitSpec) ([]int, error) {
	groupOf := func(i int) string { return cat.Items[i].Group }
	for _, p := range cat.Pairs {
		if groupOf(p.A) == "" || groupOf(p.B) == "" {
			return nil, errors.New("the pairs' items have no group (a person, a speaker); use random instead")
		}
	}
	// Union-find over the groups, and each group's weight in pairs.
	parent := map[string]string{}
	var root func(g string) string
	root = func(g string) string {
		p, ok := parent[g]
		if !ok || p == g {
			parent[g] = g
			return g
		}
		r := root(p)
		parent[g] = r
		return r
	}
	weight := map[string]float64{}
	for _, p := range cat.Pairs {
		ga, gb := groupOf(p.A), groupOf(p.B)
		if ga == gb {
			weight[ga]++
		} else {
			weight[ga] += 0.5
			weight[gb] += 0.5
		}
		if ra, rb := root(ga), root(gb); ra != rb {
			parent[ra] = rb
		}
	}
	members := map[string][]string{}
	for g := range weight {
		r := root(g)
		members[r] = append(members[r], g)
	}
	total := float64(len(cat.Pairs))
	smallest := 1.0
	for _, f := range ss.Fractions {
		if f > 0 {
			smallest = min(smallest, f)
		}
	}
	limit := max(1, 0.1*smallest*total)
	// The units to place: whole components, or the groups of one too large.
	type unit struct {
		name   string
		groups []string
		weight float64
	}
	var units []unit
	for r, gs := range members {
		sort.Strings(gs)
		w := 0.0
		for _, g := range gs {
			w += weight[g]
		}
		if w <= limit {
			units = append(units, unit{r, gs, w})
			continue
		}
		for _, g := range gs {
			units = append(units, unit{g, []string{g}, weight[g]})
		}
	}
	sort.Slice(units, func(i, j int) bool { return units[i].name < units[j].name })
	rng := newRand(ss.Seed, streamPairGroups)
	rng.Shuffle(len(units), func(i, j int) { units[i], units[j] = units[j], units[i] })
	sort.SliceStable(units, func(i, j int) bool { return units[i].weight > units[j].weight })
	have := make([]float64, len(ss.Fractions))
	part := map[string]int{}
	for _, u := range units {
		best, fill := 0, math.Inf(1)
		for k, f := range ss.Fractions {
			if f > 0 && have[k]/(f*total) < fill {
				best, fill = k, have[k]/(f*total)
			}
		}
		for _, g := range u.groups {
			part[g] = best
		}
		have[best] += u.weight
	}
	p := make([]int, len(cat.Pairs))
	count := make([]int, len(ss.Fractions))
	for i, pr := range cat.Pairs {
		pa, pb := part[groupOf(pr.A)], part[groupOf(pr.B)]
		if pa != pb {
			p[i] = -1
			continue
		}
		p[i] = pa
		count[pa]++
	}
	if err := emptyPart(ss.Fractions, count, len(weight), "no pairs"); err != nil {
		return nil, err
	}
	return p, nil
}

// emptyPart fails a group split that left a part with a share empty: filled counts what each
// part got.
func emptyPart(fractions []float64, filled []int, groups int, what string) error {
	names := []string{"train", "val", "test"}
	for k, f := range fractions {
		if f > 0 && filled[k] == 0 {
			return fmt.Errorf("%d groups are too few: the %s part got %s", groups, names[k], what)
		}
	}
	return nil
}

// splitGroups gives whole groups to the parts: groups in a seeded order, largest first, each to
// the part furthest below its share of the items. No group is in two parts.
func splitGroups(us []unit, spec SplitSpec) ([]int, error) {
	byGroup := map[string][]int{}
	size := map[string]int{}
	total := 0
	for i, u := range us {
		if u.group == "" {
			return nil, errors.New("items have no group (a speaker, a source clip); use random instead")
		}
		byGroup[u.group] = append(byGroup[u.group], i)
		size[u.group] += len(u.members)
		total += len(u.members)
	}
	groups := sortedKeys(byGroup)
	rng := newRand(spec.Seed, streamSplit)
	rng.Shuffle(len(groups), func(a, b int) { groups[a], groups[b] = groups[b], groups[a] })
	sort.SliceStable(groups, func(a, b int) bool { return size[groups[a]] > size[groups[b]] })
	have := make([]float64, len(spec.Fractions))
	ngroups := make([]int, len(spec.Fractions))
	p := make([]int, len(us))
	for _, g := range groups {
		best, bestGap := 0, math.Inf(-1)
		for part, f := range spec.Fractions {
			if f == 0 {
				continue
			}
			if gap := f*float64(total) - have[part]; gap > bestGap {
				best, bestGap = part, gap
			}
		}
		for _, i := range byGroup[g] {
			p[i] = best
		}
		have[best] += float64(size[g])
		ngroups[best]++
	}
	if err := emptyPart(spec.Fractions, ngroups, len(groups), "none"); err != nil {
		return nil, err
	}
	return p, nil
}

func byFold(us []unit, fold int) ([]int, error) {
	found := false
	p, err := byUnit(us, func(u unit) (int, error) {
		if u.fold == 0 {
			return 0, errors.New("items have no fold (ESC-50 file names and LFW's pairs.txt give one)")
		}
		if u.fold == fold {
			found = true
			return 2, nil
		}
		return 0, nil
	})
	if err == nil && !found {
		return nil, fmt.Errorf("no item is in fold %d", fold)
	}
	return p, err
}

func splitFolds(us []unit) ([][]int, error) {
	seen := map[int]bool{}
	for _, u := range us {
		if u.fold == 0 {
			return nil, errors.New("items have no fold (ESC-50 file names and LFW's pairs.txt give one)")
		}
		seen[u.fold] = true
	}
	if len(seen) < 2 {
		return nil, fmt.Errorf("%d fold: cross-validation needs at least 2", len(seen))
	}
	var folds []int
	for f := range seen {
		folds = append(folds, f)
	}
	slices.Sort(folds)
	var parts [][]int
	for _, f := range folds {
		p, _ := byFold(us, f)
		parts = append(parts, p)
	}
	return parts, nil
}

// splitKFold deals each class's shuffled units round-robin into K folds, carrying on where the
// previous class stopped so the folds stay within one unit of each other in size.
func splitKFold(us []unit, spec SplitSpec) [][]int {
	rng := newRand(spec.Seed, streamSplit)
	fold := make([]int, len(us))
	byClass := map[string][]int{}
	for i, u := range us {
		byClass[u.class] = append(byClass[u.class], i)
	}
	next := 0
	for _, class := range sortedKeys(byClass) {
		idx := byClass[class]
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for _, i := range idx {
			fold[i] = next
			next = (next + 1) % spec.K
		}
	}
	parts := make([][]int, spec.K)
	for k := range parts {
		parts[k] = make([]int, len(us))
		for i := range us {
			if fold[i] == k {
				parts[k][i] = 2
			}
		}
	}
	return parts
}

func holdoutGroups(us []unit, groups []string) ([]int, error) {
	hold := map[string]bool{}
	for _, g := range groups {
		hold[g] = true
	}
	found := map[string]bool{}
	p, err := byUnit(us, func(u unit) (int, error) {
		if u.group == "" {
			return 0, errors.New("items have no group")
		}
		if hold[u.group] {
			found[u.group] = true
			return 2, nil
		}
		return 0, nil
	})
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if !found[g] {
			return nil, fmt.Errorf("no item is in group %q", g)
		}
	}
	return p, nil
}

// partition turns the per-unit part numbers into sorted index lists and per-class sizes.
func partition(c *Catalog, us []unit, part []int) Partition {
	var out Partition
	lists := [3]*[]int{&out.Train, &out.Val, &out.Test}
	rows := map[string]*ClassSplit{}
	var order []string
	for i, u := range us {
		if part[i] < 0 {
			out.LeftOut = append(out.LeftOut, u.members...)
			continue
		}
		*lists[part[i]] = append(*lists[part[i]], u.members...)
		name := u.class
		if name == "" {
			name = "all"
		}
		r, ok := rows[name]
		if !ok {
			r = &ClassSplit{Class: name}
			rows[name] = r
			order = append(order, name)
		}
		switch part[i] {
		case 0:
			r.Train += len(u.members)
		case 1:
			r.Val += len(u.members)
		case 2:
			r.Test += len(u.members)
		}
	}
	for _, l := range lists {
		slices.Sort(*l)
	}
	slices.Sort(out.LeftOut)
	slices.Sort(order)
	for _, name := range order {
		out.PerClass = append(out.PerClass, *rows[name])
	}
	return out
}
