package errors

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/eval"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/views/common"
)

// Errors is the Errors pane.
type Errors struct {
	c    *common.Common
	keys KeyMap
	w, h int

	runID string
	spec  train.RunSpec
	res   *train.Result
	pairs bool

	// Classification: the cell and the position in it.
	index  *eval.ErrorIndex
	idxErr error
	t, p   int
	pos    int

	// Pairs: the outcomes at the threshold and the one shown.
	outcomes  eval.Outcomes
	threshold float64
	outcome   string
	pairErr   error

	means bool

	sets  []catalog
	feats map[string]outcome // by featKey
	meanC map[string]outcome // by meanKey
	busy  map[string]bool

	status string
}

var _ common.Component = (*Errors)(nil)

// catalog is an open dataset with its items by ID.
type catalog struct {
	root string
	cat  *dataset.Catalog
	byID map[string]int
}

// outcome is a computed drawing source: a feature (or class mean) or why it failed.
type outcome struct {
	res *extract.Result
	err error
}

type indexMsg struct {
	res *train.Result
	idx *eval.ErrorIndex
	err error
}

type featMsg struct {
	key string
	out outcome
	// mean is set for class means (stored in meanC).
	mean bool
}

// maxMeanItems bounds the items averaged into a class mean, to keep it cheap.
const maxMeanItems = 12

// New returns the Errors pane.
func New(c *common.Common) *Errors {
	return &Errors{c: c, keys: DefaultKeyMap(), means: true, outcome: common.OutcomeFP,
		feats: map[string]outcome{}, meanC: map[string]outcome{}, busy: map[string]bool{}}
}

// ID implements common.Component.
func (m *Errors) ID() string { return common.PaneErrors }

// Title implements common.Component.
func (m *Errors) Title() string { return "Errors" }

// SetSize implements common.Component.
func (m *Errors) SetSize(w, h int) { m.w, m.h = w, h }

// Init implements common.Component.
func (m *Errors) Init() tea.Cmd { return nil }

// Update implements common.Component.
func (m *Errors) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case common.CatalogMsg:
		m.addCatalog(msg.Spec.Root, msg.Catalog)
		return m, m.ensure()
	case common.ShowErrorsMsg:
		return m, m.show(msg)
	case indexMsg:
		if msg.res != m.res {
			return m, nil
		}
		m.index, m.idxErr = msg.idx, msg.err
		return m, m.ensure()
	case featMsg:
		delete(m.busy, msg.key)
		if msg.mean {
			m.meanC[msg.key] = msg.out
		} else {
			m.feats[msg.key] = msg.out
		}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Errors) addCatalog(root string, cat *dataset.Catalog) {
	if cat == nil {
		return
	}
	if root == "" {
		root = cat.Root
	}
	c := catalog{root: root, cat: cat, byID: make(map[string]int, len(cat.Items))}
	for i, it := range cat.Items {
		c.byID[it.ID] = i
	}
	for i := range m.sets {
		if m.sets[i].root == root {
			m.sets[i] = c
			return
		}
	}
	m.sets = append(m.sets, c)
}

// show takes a new cell (or pair outcome) to step through.
func (m *Errors) show(msg common.ShowErrorsMsg) tea.Cmd {
	m.status = ""
	newRes := msg.Result != m.res
	m.runID, m.spec, m.res = msg.RunID, msg.Spec, msg.Result
	m.t, m.p, m.pos = msg.True, msg.Pred, 0
	m.pairs = msg.Outcome != ""
	if m.pairs {
		m.threshold, m.outcome = msg.Threshold, msg.Outcome
		roc, err := eval.NewROC(common.PairScores(msg.Result))
		m.pairErr = err
		if err == nil {
			m.outcomes = roc.Outcomes(msg.Threshold)
		}
		return m.ensure()
	}
	if !newRes && m.index != nil {
		return m.ensure()
	}
	m.index, m.idxErr = nil, nil
	res := msg.Result
	return func() tea.Msg {
		idx, err := eval.NewErrorIndex(res.Classes, res.Items)
		return indexMsg{res: res, idx: idx, err: err}
	}
}

// cell returns the entries of the current cell.
func (m *Errors) cell() []eval.Entry {
	if m.index == nil {
		return nil
	}
	return m.index.Cell(m.t, m.p)
}

// pairList returns the pairs of the current outcome.
func (m *Errors) pairList() []eval.Scored {
	switch m.outcome {
	case common.OutcomeFP:
		return m.outcomes.FP
	case common.OutcomeFN:
		return m.outcomes.FN
	case common.OutcomeTP:
		return m.outcomes.TP
	}
	return m.outcomes.TN
}

func (m *Errors) count() int {
	if m.pairs {
		return len(m.pairList())
	}
	return len(m.cell())
}

func (m *Errors) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	if m.res == nil {
		return nil
	}
	k2 := len(m.res.Classes)
	switch {
	case key.Matches(msg, k.Next):
		m.pos = min(max(0, m.count()-1), m.pos+1)
	case key.Matches(msg, k.Prev):
		m.pos = max(0, m.pos-1)
	case key.Matches(msg, k.Means):
		m.means = !m.means
	case key.Matches(msg, k.Filter) && m.pairs:
		order := []string{common.OutcomeFP, common.OutcomeFN, common.OutcomeTP, common.OutcomeTN}
		m.outcome = order[(slices.Index(order, m.outcome)+1)%len(order)]
		m.pos = 0
	case m.pairs:
		if key.Matches(msg, k.Inspect) {
			return m.inspect()
		}
		return nil
	case key.Matches(msg, k.Up):
		m.t, m.pos = max(0, m.t-1), 0
	case key.Matches(msg, k.Down):
		m.t, m.pos = min(k2-1, m.t+1), 0
	case key.Matches(msg, k.Left):
		m.p, m.pos = max(0, m.p-1), 0
	case key.Matches(msg, k.Right):
		m.p, m.pos = min(k2-1, m.p+1), 0
	case key.Matches(msg, k.NextError):
		m.nextErrorCell()
	case key.Matches(msg, k.Inspect):
		return m.inspect()
	}
	return m.ensure()
}

// nextErrorCell moves to the next off-diagonal cell, row by row, that has items.
func (m *Errors) nextErrorCell() {
	if m.index == nil {
		return
	}
	k := len(m.res.Classes)
	for step := 1; step <= k*k; step++ {
		i := (m.t*k + m.p + step) % (k * k)
		t, p := i/k, i%k
		if t != p && len(m.index.Cell(t, p)) > 0 {
			m.t, m.p, m.pos = t, p, 0
			return
		}
	}
	m.status = "no errors in any cell"
}

// inspect opens the current item (for pairs: the first of the pair) in the Inspector.
func (m *Errors) inspect() tea.Cmd {
	ids := m.currentIDs()
	if len(ids) == 0 {
		return nil
	}
	c, i, ok := m.lookup(ids[0])
	if !ok {
		m.status = "item " + ids[0] + " is not in an open dataset"
		return nil
	}
	msg := common.OpenItemMsg{Catalog: c.cat, Items: []int{i}, Index: 0, Focus: true}
	return func() tea.Msg { return msg }
}

// currentIDs are the item IDs shown: one, or two for a pair.
func (m *Errors) currentIDs() []string {
	if m.pairs {
		l := m.pairList()
		if m.pos >= len(l) {
			return nil
		}
		return splitPair(l[m.pos].ID)
	}
	c := m.cell()
	if m.pos >= len(c) {
		return nil
	}
	return []string{c[m.pos].ID}
}

// splitPair reads a pair's ID: "a|b", "a,b", "a vs b" or "a b".
func splitPair(id string) []string {
	for _, sep := range []string{"|", " vs ", ",", "\t", " "} {
		if a, b, ok := strings.Cut(id, sep); ok {
			return []string{strings.TrimSpace(a), strings.TrimSpace(b)}
		}
	}
	return []string{id}
}

// catalogFor is the open dataset the run read.
func (m *Errors) catalogFor() *catalog {
	root := m.spec.Dataset.Spec.Root
	for i := range m.sets {
		if m.sets[i].root == root || m.sets[i].cat.Root == root {
			return &m.sets[i]
		}
	}
	if len(m.sets) == 1 {
		return &m.sets[0]
	}
	return nil
}

// lookup finds an item by ID, also as a segment of a clip ("clip.wav#3", "clip.wav@2").
func (m *Errors) lookup(id string) (*catalog, int, bool) {
	c := m.catalogFor()
	if c == nil {
		return nil, 0, false
	}
	if i, ok := c.byID[id]; ok {
		return c, i, true
	}
	for _, sep := range []string{"#", "@", ":"} {
		if j := strings.LastIndex(id, sep); j > 0 {
			if i, ok := c.byID[id[:j]]; ok {
				return c, i, true
			}
		}
	}
	return c, 0, false
}

// config is the run's feature configuration, a mel spectrogram when it has none.
func (m *Errors) config() extract.Config {
	cfg := m.spec.Features.Config
	if cfg.Kind == "" {
		cfg = extract.Default("mel-db")
	}
	return cfg
}

func featKey(path string, cfg extract.Config) string { return path + "\x00" + cfg.Key() }

func (m *Errors) meanKey(class int) string { return fmt.Sprintf("%s\x00%d", m.runID, class) }

// ensure starts the computations the current item needs: its features and, when shown, the
// means of its true and predicted classes.
func (m *Errors) ensure() tea.Cmd {
	if m.res == nil {
		return nil
	}
	cfg := m.config()
	var cmds []tea.Cmd
	for _, id := range m.currentIDs() {
		c, i, ok := m.lookup(id)
		if !ok {
			continue
		}
		path := c.cat.Items[i].Path
		k := featKey(path, cfg)
		if _, done := m.feats[k]; done || m.busy[k] {
			continue
		}
		m.busy[k] = true
		cmds = append(cmds, m.extractCmd(k, []string{path}, cfg, false))
	}
	if !m.pairs && m.means && m.index != nil {
		for _, class := range []int{m.t, m.p} {
			k := m.meanKey(class)
			if _, done := m.meanC[k]; done || m.busy[k] {
				continue
			}
			paths := m.classPaths(class)
			if len(paths) == 0 {
				continue
			}
			m.busy[k] = true
			cmds = append(cmds, m.extractCmd(k, paths, cfg, true))
		}
	}
	return tea.Batch(cmds...)
}

// classPaths lists the files of up to maxMeanItems evaluated items of a true class, by ID.
func (m *Errors) classPaths(class int) []string {
	var ids []string
	for _, it := range m.res.Items {
		if it.True == class {
			ids = append(ids, it.ID)
		}
	}
	slices.Sort(ids)
	var paths []string
	for _, id := range ids {
		if c, i, ok := m.lookup(id); ok {
			p := c.cat.Items[i].Path
			if !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
		if len(paths) == maxMeanItems {
			break
		}
	}
	return paths
}

// extractCmd computes the feature of one file, or the mean of several (cropped to the
// shortest).
func (m *Errors) extractCmd(k string, paths []string, cfg extract.Config, mean bool) tea.Cmd {
	extractFn := m.c.Engine.Extract
	return func() tea.Msg {
		var ms []*features.Matrix
		var first *extract.Result
		for _, p := range paths {
			var r *extract.Result
			var err error
			if cfg.Kind == "image" {
				r, err = loadImage(p, m.spec.Features.ImageSize)
			} else {
				r, err = extractFn(p, cfg)
			}
			if err == nil && (r == nil || r.Matrix == nil) {
				err = fmt.Errorf("%s: the engine returned no %s matrix", p, cfg.Kind)
			}
			if err != nil {
				if mean {
					continue
				}
				return featMsg{key: k, out: outcome{err: err}}
			}
			if first == nil {
				first = r
			}
			ms = append(ms, r.Matrix)
		}
		if !mean {
			return featMsg{key: k, out: outcome{res: first}}
		}
		if len(ms) == 0 {
			return featMsg{key: k, mean: true, out: outcome{err: fmt.Errorf("no item of the class could be read")}}
		}
		out := *first
		out.Matrix = meanMatrix(ms)
		out.Beats = nil
		return featMsg{key: k, mean: true, out: outcome{res: &out}}
	}
}

// meanMatrix averages matrices of equal rows over the frames they all have.
func meanMatrix(ms []*features.Matrix) *features.Matrix {
	rows, cols := ms[0].Rows, ms[0].Cols
	for _, x := range ms {
		cols = min(cols, x.Cols)
	}
	out := features.NewMatrix(rows, cols)
	n := 0
	for _, x := range ms {
		if x.Rows != rows {
			continue
		}
		n++
		for r := range rows {
			for c := range cols {
				out.Data[r*cols+c] += x.Data[r*x.Cols+c]
			}
		}
	}
	for i := range out.Data {
		out.Data[i] /= float32(max(1, n))
	}
	return out
}

// loadImage reads an image as a grayscale matrix of size x size (0 keeps its size), top row
// last, as the heatmap draws row 0 at the bottom.
func loadImage(path string, size int) (*extract.Result, error) {
	img, err := extract.Image(path, size)
	if err != nil {
		return nil, err
	}
	m := features.NewMatrix(img.Rows, img.Cols)
	for y := range img.Rows {
		copy(m.Data[(img.Rows-1-y)*img.Cols:(img.Rows-y)*img.Cols], img.Data[y*img.Cols:(y+1)*img.Cols])
	}
	return &extract.Result{Kind: "image", Matrix: m}, nil
}

// Position returns the cell (or -1, -1 for pairs) and the item's position in it.
func (m *Errors) Position() (t, p, pos int) {
	if m.pairs {
		return -1, -1, m.pos
	}
	return m.t, m.p, m.pos
}

// ShortHelp implements help.KeyMap.
func (m *Errors) ShortHelp() []key.Binding {
	k := &m.keys
	if m.pairs {
		return []key.Binding{k.Next, k.Prev, k.Filter, k.Inspect}
	}
	return []key.Binding{k.Next, k.Prev, k.Up, k.Left, k.NextError, k.Means}
}

// FullHelp implements help.KeyMap.
func (m *Errors) FullHelp() [][]key.Binding {
	k := &m.keys
	return [][]key.Binding{
		{k.Next, k.Prev, k.Inspect},
		{k.Up, k.Down, k.Left, k.Right, k.NextError},
		{k.Means, k.Filter},
	}
}
