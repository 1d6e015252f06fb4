package results

import (
	"math"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/eval"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/common"
)

// Results is the Results pane.
type Results struct {
	c    *common.Common
	keys KeyMap
	w, h int

	book   common.RunBook
	sel    string
	follow bool

	// Classification: the cell under the cursor (true row, predicted column).
	row, col   int
	normalized bool
	report     bool // narrow terminals: the report instead of the matrix

	// Regression: the target shown.
	target int

	// Pairs: the threshold and the ROC it reads, built once per result.
	threshold float64
	roc       *eval.ROC
	rocOf     *train.Result
	rocErr    error

	status string
	// pending is a run asked for (ShowRunMsg) whose result has not arrived yet.
	pending string
	// grid is where the last View drew the confusion matrix's cells, and scores where it drew
	// the pair score histograms, for mouse clicks.
	grid   matrixGrid
	scores scoreAxis
}

// scoreAxis locates the pair score histograms: lines [top, top+rows) of the pane, bins columns
// from column left, spanning scores lo to hi.
type scoreAxis struct {
	shown                 bool
	top, rows, left, bins int
	lo, hi                float64
}

// matrixGrid locates the confusion matrix's cells on the pane: rows x cols cells of cellW
// columns from column left and line top, showing true classes from r0 and predicted from c0.
type matrixGrid struct {
	shown              bool
	top, left, cellW   int
	r0, c0, rows, cols int
}

var _ common.Component = (*Results)(nil)

type runsMsg struct{ infos []engine.RunInfo }

// New returns the Results pane.
func New(c *common.Common) *Results {
	return &Results{c: c, keys: DefaultKeyMap(), follow: true}
}

// ID implements common.Component.
func (m *Results) ID() string { return common.PaneResults }

// Title implements common.Component.
func (m *Results) Title() string { return "Results" }

// SetSize implements common.Component.
func (m *Results) SetSize(w, h int) { m.w, m.h = w, h }

// Init asks for the engine's runs, to show the results of runs that ended before it opened.
func (m *Results) Init() tea.Cmd {
	runs := m.c.Engine.Runs
	if runs == nil {
		return nil
	}
	return func() tea.Msg { return runsMsg{infos: runs()} }
}

// Update implements common.Component.
func (m *Results) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case runsMsg:
		m.book.SetInfos(msg.infos)
		m.pick()
		if r := m.book.Get(m.pending); r != nil && r.Result() != nil {
			m.selectRun(m.pending)
			m.follow, m.pending = false, ""
		}
	case common.RunEventsMsg:
		for _, ev := range msg.Events {
			m.book.Apply(ev)
		}
		m.pick()
	case common.ShowRunMsg:
		if r := m.book.Get(msg.RunID); r != nil && r.Result() != nil {
			m.selectRun(msg.RunID)
			m.follow = false
			return m, nil
		}
		// The run's end has not reached this pane yet: ask the engine, and show it then.
		m.pending = msg.RunID
		return m, m.Init()
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case common.ClickMsg:
		return m, m.click(msg)
	}
	return m, nil
}

// finished lists the runs that have a result, oldest first.
func (m *Results) finished() []string {
	var out []string
	for _, id := range m.book.IDs() {
		if m.book.Get(id).Result() != nil {
			out = append(out, id)
		}
	}
	return out
}

// pick shows the newest result while following.
func (m *Results) pick() {
	ids := m.finished()
	if len(ids) == 0 {
		return
	}
	if m.follow || !slices.Contains(ids, m.sel) {
		if ids[len(ids)-1] != m.sel {
			m.selectRun(ids[len(ids)-1])
		}
	}
}

func (m *Results) selectRun(id string) {
	if id == m.sel {
		return
	}
	m.sel = id
	m.row, m.col, m.target, m.status = 0, 0, 0, ""
	m.roc, m.rocOf, m.rocErr = nil, nil, nil
	res := m.result()
	if res == nil {
		return
	}
	// Start on the largest off-diagonal cell: the commonest confusion.
	best := 0
	for t, row := range res.Confusion {
		for p, n := range row {
			if t != p && n > best {
				best, m.row, m.col = n, t, p
			}
		}
	}
	if task(res) == common.TaskPairs {
		m.ensureROC()
		m.threshold = 0.5
		if res.Threshold != nil {
			m.threshold = *res.Threshold
		} else if m.roc != nil {
			_, op := m.roc.EER()
			m.threshold = op.Threshold
		}
	}
}

// result is the shown run's result.
func (m *Results) result() *train.Result {
	if r := m.book.Get(m.sel); r != nil {
		return r.Result()
	}
	return nil
}

// task names what kind of result res is, from its task or, failing that, its contents.
func task(res *train.Result) string {
	switch {
	case res.Task == common.TaskPairs || res.Task == "binary" && len(res.Confusion) == 0:
		return common.TaskPairs
	case res.Task == common.TaskRegress || res.Task == "regression":
		return common.TaskRegress
	case len(res.Confusion) > 0:
		return common.TaskClassify
	case len(res.Spearman) > 0:
		return common.TaskRegress
	case res.AUC != nil:
		return common.TaskPairs
	}
	return common.TaskClassify
}

// ensureROC builds the ROC of the shown pair result once; it is O(n log n) in the items, done
// on the first look at a result.
func (m *Results) ensureROC() {
	res := m.result()
	if res == nil || m.rocOf == res {
		return
	}
	m.rocOf = res
	m.roc, m.rocErr = eval.NewROC(common.PairScores(res))
}

func (m *Results) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case key.Matches(msg, k.PrevRun), key.Matches(msg, k.NextRun):
		ids := m.finished()
		if len(ids) == 0 {
			return nil
		}
		i := max(0, slices.Index(ids, m.sel))
		if key.Matches(msg, k.PrevRun) {
			i = max(0, i-1)
		} else {
			i = min(len(ids)-1, i+1)
		}
		m.selectRun(ids[i])
		m.follow = false
		return nil
	}
	res := m.result()
	if res == nil {
		return nil
	}
	switch task(res) {
	case common.TaskPairs:
		return m.pairKey(msg, res)
	case common.TaskRegress:
		n := len(targets(res))
		switch {
		case key.Matches(msg, k.Left), key.Matches(msg, k.Up):
			m.target = max(0, m.target-1)
		case key.Matches(msg, k.Right), key.Matches(msg, k.Down):
			m.target = min(max(0, n-1), m.target+1)
		}
		return nil
	}
	n := len(res.Confusion)
	switch {
	case key.Matches(msg, k.Up):
		m.row = max(0, m.row-1)
	case key.Matches(msg, k.Down):
		m.row = min(n-1, m.row+1)
	case key.Matches(msg, k.Left):
		m.col = max(0, m.col-1)
	case key.Matches(msg, k.Right):
		m.col = min(n-1, m.col+1)
	case key.Matches(msg, k.Normalize):
		m.normalized = !m.normalized
	case key.Matches(msg, k.Report):
		m.report = !m.report
	case key.Matches(msg, k.Open):
		return m.openCell(res)
	}
	return nil
}

// openCell steps through the cell under the cursor in the Errors pane.
func (m *Results) openCell(res *train.Result) tea.Cmd {
	if len(res.Items) == 0 {
		m.status = "this result carries no per-item probabilities to step through"
		return nil
	}
	sm := common.ShowErrorsMsg{RunID: m.sel, Spec: m.spec(), Result: res, True: m.row, Pred: m.col, Focus: true}
	return func() tea.Msg { return sm }
}

// click moves the cursor to the confusion cell clicked; a click on the cell under the cursor
// opens it, as enter does.
func (m *Results) click(msg common.ClickMsg) tea.Cmd {
	g, res := m.grid, m.result()
	if res != nil && task(res) == common.TaskPairs {
		m.clickScore(msg)
		return nil
	}
	if !g.shown || res == nil || task(res) != common.TaskClassify {
		return nil
	}
	r, x := msg.Y-g.top, msg.X-g.left
	if r < 0 || r >= g.rows || x < 0 || x/g.cellW >= g.cols {
		return nil
	}
	row, col := g.r0+r, g.c0+x/g.cellW
	if row == m.row && col == m.col {
		return m.openCell(res)
	}
	m.row, m.col, m.status = row, col, ""
	return nil
}

func (m *Results) spec() train.RunSpec {
	if r := m.book.Get(m.sel); r != nil {
		return r.Info.Spec
	}
	return train.RunSpec{}
}

func (m *Results) pairKey(msg tea.KeyPressMsg, res *train.Result) tea.Cmd {
	k := &m.keys
	m.ensureROC()
	if m.roc == nil {
		return nil
	}
	lo, hi := scoreRange(common.PairScores(res))
	step := (hi - lo) / 50
	switch {
	case key.Matches(msg, k.Left):
		m.threshold -= step
	case key.Matches(msg, k.Right):
		m.threshold += step
	case key.Matches(msg, k.FineLeft):
		m.threshold -= step / 10
	case key.Matches(msg, k.FineRight):
		m.threshold += step / 10
	case key.Matches(msg, k.EER):
		_, op := m.roc.EER()
		m.threshold = op.Threshold
	case key.Matches(msg, k.BestAccuracy):
		m.threshold = m.roc.BestAccuracy().Threshold
	case key.Matches(msg, k.Open):
		sm := common.ShowErrorsMsg{RunID: m.sel, Spec: m.spec(), Result: res, Outcome: common.OutcomeFP,
			Threshold: m.threshold, Focus: true}
		return func() tea.Msg { return sm }
	}
	m.threshold = max(lo-step, min(hi+step, m.threshold))
	return nil
}

// scoreRange is the span of the scores: [0, 1] when they all lie in it (probabilities).
func scoreRange(items []eval.Scored) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, it := range items {
		lo, hi = min(lo, it.Score), max(hi, it.Score)
	}
	if lo >= 0 && hi <= 1 {
		return 0, 1
	}
	if lo >= hi {
		return lo - 0.5, lo + 0.5
	}
	return lo, hi
}

// targets lists a regression result's targets, in a stable order.
func targets(res *train.Result) []string {
	var t []string
	for k := range res.Spearman {
		t = append(t, k)
	}
	slices.Sort(t)
	return t
}

// Cell returns the cell under the cursor.
func (m *Results) Cell() (t, p int) { return m.row, m.col }

// Threshold returns the pair threshold.
func (m *Results) Threshold() float64 { return m.threshold }

// Selected returns the run shown.
func (m *Results) Selected() string { return m.sel }

// ShortHelp implements help.KeyMap.
func (m *Results) ShortHelp() []key.Binding {
	k := &m.keys
	res := m.result()
	if res != nil && task(res) == common.TaskPairs {
		return []key.Binding{k.Left, k.Right, k.EER, k.BestAccuracy, k.Open}
	}
	return []key.Binding{k.Cells, k.Open, k.Normalize, k.PrevRun, k.NextRun}
}

// FullHelp implements help.KeyMap.
func (m *Results) FullHelp() [][]key.Binding {
	k := &m.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Left, k.Right, k.Open},
		{k.Normalize, k.Report, k.PrevRun, k.NextRun},
		{k.FineLeft, k.FineRight, k.EER, k.BestAccuracy},
	}
}

// clickScore moves the threshold to the score of the histogram column clicked: the column's
// left edge, so that the threshold mark is drawn in the column clicked.
func (m *Results) clickScore(msg common.ClickMsg) {
	a := m.scores
	col := msg.X - a.left
	if !a.shown || msg.Y < a.top || msg.Y >= a.top+a.rows || col < 0 || col >= a.bins {
		return
	}
	m.threshold = a.lo + float64(col)/float64(a.bins)*(a.hi-a.lo)
}
