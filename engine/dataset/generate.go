package dataset

import (
	"fmt"
	"math"
)

// PairSpec asks for same/different pairs drawn from a labelled catalog.
type PairSpec struct {
	// By is what "same" means: "label" (same word?) or "group" (same speaker?).
	By string `json:"by,omitempty"`
	// N is the number of pairs; 0 means as many as there are candidate items.
	N int `json:"n,omitempty"`
	// Same is the share of same pairs; 0 means 0.5 (balanced).
	Same float64 `json:"same,omitempty"`
	// Seed drives the sampling.
	Seed uint64 `json:"seed,omitempty"`
	// Items restricts the candidates to these item indices (a split's train part, say, so
	// that no pair crosses the split); nil means every item.
	Items []int `json:"items,omitempty"`
}

// GeneratePairs draws spec.N distinct unordered pairs: round(N*Same) whose two items share the
// key (label or group) and the rest whose keys differ. It fails when the candidates cannot
// supply that many distinct pairs of either kind.
func GeneratePairs(cat *Catalog, spec PairSpec) ([]Pair, error) {
	key := func(it Item) string { return it.Label }
	switch spec.By {
	case "label":
	case "group":
		key = func(it Item) string { return it.Group }
	default:
		return nil, fmt.Errorf("pairs by %q: want label or group", spec.By)
	}
	share := spec.Same
	if share == 0 {
		share = 0.5
	}
	if !(share >= 0 && share <= 1) {
		return nil, fmt.Errorf("pairs: same share %v is not in [0, 1]", spec.Same)
	}
	cands := spec.Items
	if cands == nil {
		cands = make([]int, len(cat.Items))
		for i := range cands {
			cands[i] = i
		}
	}
	byKey := map[string][]int{}
	unique := make([]int, 0, len(cands))
	dup := map[int]bool{}
	for _, i := range cands {
		if i < 0 || i >= len(cat.Items) {
			return nil, fmt.Errorf("pairs: item index %d out of range (catalog has %d)", i, len(cat.Items))
		}
		if dup[i] {
			continue
		}
		dup[i] = true
		unique = append(unique, i)
		k := key(cat.Items[i])
		if k == "" {
			return nil, fmt.Errorf("pairs by %s: item %s has no %s", spec.By, cat.Items[i].ID, spec.By)
		}
		byKey[k] = append(byKey[k], i)
	}
	cands = unique
	n := spec.N
	if n == 0 {
		n = len(cands)
	}
	if n < 0 {
		return nil, fmt.Errorf("pairs: count %d is negative", n)
	}
	nSame := int(math.Round(float64(n) * share))
	nDiff := n - nSame

	// Count what exists so that impossible requests fail at once rather than after sampling.
	maxSame, total := 0, len(cands)
	var pool []int // items whose key has a partner
	for _, k := range sortedKeys(byKey) {
		m := len(byKey[k])
		maxSame += m * (m - 1) / 2
		if m > 1 {
			pool = append(pool, byKey[k]...)
		}
	}
	maxDiff := total*(total-1)/2 - maxSame
	if nSame > maxSame {
		return nil, fmt.Errorf("pairs by %s: %d same pairs asked, only %d exist", spec.By, nSame, maxSame)
	}
	if nDiff > maxDiff {
		return nil, fmt.Errorf("pairs by %s: %d different pairs asked, only %d exist", spec.By, nDiff, maxDiff)
	}

	rng := newRand(spec.Seed, streamPairs)
	seen := map[[2]int]bool{}
	out := make([]Pair, 0, n)
	add := func(a, b int, same bool) bool {
		if a > b {
			a, b = b, a
		}
		if a == b || seen[[2]int{a, b}] {
			return false
		}
		seen[[2]int{a, b}] = true
		out = append(out, Pair{A: a, B: b, Same: same})
		return true
	}
	// Rejection sampling is quick while the request is a small part of what exists; past half
	// of it, enumerate and shuffle instead so that the draw always ends.
	draw := func(want, exist int, same bool) {
		if want == 0 {
			return
		}
		if 2*want > exist {
			all := enumeratePairs(cat, cands, key, same)
			rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
			for _, p := range all[:want] {
				add(p[0], p[1], same)
			}
			return
		}
		for got := 0; got < want; {
			var a, b int
			if same {
				a = pool[rng.IntN(len(pool))]
				group := byKey[key(cat.Items[a])]
				b = group[rng.IntN(len(group))]
			} else {
				a, b = cands[rng.IntN(total)], cands[rng.IntN(total)]
				if key(cat.Items[a]) == key(cat.Items[b]) {
					continue
				}
			}
			if add(a, b, same) {
				got++
			}
		}
	}
	draw(nSame, maxSame, true)
	draw(nDiff, maxDiff, false)
	// Interleave same and different pairs so that any prefix is balanced too.
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out, nil
}

// enumeratePairs lists every unordered pair of candidates whose keys agree (same) or differ.
func enumeratePairs(cat *Catalog, cands []int, key func(Item) string, same bool) [][2]int {
	var all [][2]int
	for x := 0; x < len(cands); x++ {
		for y := x + 1; y < len(cands); y++ {
			a, b := cands[x], cands[y]
			if a == b {
				continue
			}
			if (key(cat.Items[a]) == key(cat.Items[b])) == same {
				if a > b {
					a, b = b, a
				}
				all = append(all, [2]int{a, b})
			}
		}
	}
	return all
}
