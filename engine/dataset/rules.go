package dataset

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// applyRules merges classes by pattern, then drops the classes with fewer than MinCount items,
// reporting each change in c.Applied. Ignored folders were already skipped by the scan.
func applyRules(c *Catalog, r Rules) error {
	if len(r.Merge) == 0 && r.MinCount <= 0 {
		return nil
	}
	if c.Task == Pairs {
		return errors.New("class rules (merge, drop) do not apply to a pair dataset")
	}
	for _, m := range r.Merge {
		if m.Into == "" {
			return fmt.Errorf("merge %q: no class to merge into", m.Pattern)
		}
		re, err := regexp.Compile(`^(?:` + m.Pattern + `)$`)
		if err != nil {
			return fmt.Errorf("merge pattern %q: %w", m.Pattern, err)
		}
		merged := map[string]bool{}
		n := 0
		for i := range c.Items {
			it := &c.Items[i]
			if it.Label != "" && it.Label != m.Into && re.MatchString(it.Label) {
				merged[it.Label] = true
				it.Label = m.Into
				n++
			}
		}
		classes := sortedKeys(merged)
		detail := fmt.Sprintf("merged %s into %q: %d items", quoteAll(classes), m.Into, n)
		if n == 0 {
			detail = fmt.Sprintf("merge %q into %q matched no class", m.Pattern, m.Into)
		}
		c.Applied = append(c.Applied, Applied{Rule: "merge", Detail: detail, Classes: classes, Items: n})
	}
	if r.MinCount > 0 {
		counts := map[string]int{}
		for _, it := range c.Items {
			counts[it.Label]++
		}
		var dropped []string
		n := 0
		for _, class := range sortedKeys(counts) {
			if class != "" && counts[class] < r.MinCount {
				dropped = append(dropped, class)
				n += counts[class]
			}
		}
		if len(dropped) > 0 {
			drop := map[string]bool{}
			for _, d := range dropped {
				drop[d] = true
			}
			c.keep(func(it Item) bool { return !drop[it.Label] })
		}
		c.Applied = append(c.Applied, Applied{Rule: "drop", Classes: dropped, Items: n,
			Detail: fmt.Sprintf("dropped %d classes with fewer than %d items (%d items): %s", len(dropped), r.MinCount, n, quoteAll(dropped))})
	}
	return nil
}

func quoteAll(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
