package models

import (
	"github.com/hark-audio/hark/models/internal/gemm"
	"github.com/hark-audio/hark/models/internal/vecf"
)

// Stride-1 convolutions run as implicit GEMM, without im2col. On the (zero-padded) input
// plane of width wp, the K = cin·kh·kw rows of the patch matrix are windows of the input
// itself: row (ci, i, j) is the input from offset ci·hp·wp + i·wp + j on, and output (oy, ox)
// is column oy·wp + ox. A gemm.Matrix with row offsets views them in place, so the forward
// product packs straight from the input, the weight gradient reads it through MulNT, and the
// input gradient is K long row additions. The columns with ox >= ow (the wp - ow positions
// where a window wraps to the next input row) are computed and dropped, or, in the backward
// pass, carry zero gradient.

// implicit reports whether the convolution runs as implicit GEMM.
func (c *conv) implicit() bool { return c.sh == 1 && c.sw == 1 }

// wide returns the padded plane's size (hp, wp) and the number of columns of the widened
// output, np = (oh-1)·wp + ow: the last window ends at the padded sample's last value.
func (c *conv) wide() (hp, wp, np int) {
	hp, wp = c.h+2*c.ph, c.w+2*c.pw
	return hp, wp, (c.oh-1)*wp + c.ow
}

// windows returns the offsets of the K window rows in a padded sample.
func (c *conv) windows() []int {
	hp, wp, _ := c.wide()
	offs := make([]int, 0, c.k())
	for ci := 0; ci < c.cin; ci++ {
		for i := 0; i < c.kh; i++ {
			for j := 0; j < c.kw; j++ {
				offs = append(offs, ci*hp*wp+i*wp+j)
			}
		}
	}
	return offs
}

// padSize is the scratch a padded copy of one sample needs (zero without padding).
func (c *conv) padSize() int {
	if c.ph == 0 && c.pw == 0 {
		return 0
	}
	hp, wp, _ := c.wide()
	return c.cin * hp * wp
}

// padded returns the sample xs itself, or, with padding, xs copied into the middle of the
// zeroed buffer xp.
func (c *conv) padded(xs, xp []float32) []float32 {
	if c.ph == 0 && c.pw == 0 {
		return xs
	}
	hp, wp, _ := c.wide()
	clear(xp)
	for ci := 0; ci < c.cin; ci++ {
		for iy := 0; iy < c.h; iy++ {
			copy(xp[(ci*hp+iy+c.ph)*wp+c.pw:][:c.w], xs[(ci*c.h+iy)*c.w:])
		}
	}
	return xp
}

// patches is the window matrix of a padded sample.
func (c *conv) patches(src []float32, offs []int) gemm.Matrix {
	_, _, np := c.wide()
	return gemm.Matrix{Data: src, Rows: c.k(), Cols: np, ColStride: 1, RowOff: offs}
}

// forwardImplicit computes one sample's output ys; scratch holds cout·np + padSize values.
func (c *conv) forwardImplicit(ws *gemm.Workspace, xs, ys, scratch []float32, offs []int) {
	_, wp, np := c.wide()
	out := scratch[:c.cout*np]
	src := c.padded(xs, scratch[c.cout*np:][:c.padSize()])
	ws.Mul(out, np, gemm.RowMajor(c.wt.data, c.cout, c.k()), c.patches(src, offs), false)
	for o, bv := range c.bias.data {
		// Bias and activation over the whole widened row (long vectors), then the valid columns.
		biasActivate(c.act, out[o*np:(o+1)*np], bv)
		for oy := 0; oy < c.oh; oy++ {
			copy(ys[(o*c.oh+oy)*c.ow:][:c.ow], out[o*np+oy*wp:])
		}
	}
}

// backwardImplicit adds one sample's bias gradient to sb, its kernel gradient, transposed
// (K×cout), to swT (or sets it when first), and writes its input gradient to dxs when
// needDX. scratch holds cout·np + K·np + 2·padSize + cout·oh·ow values.
func (c *conv) backwardImplicit(ws *gemm.Workspace, xs, ys, gys, dxs, sb, swT, scratch []float32, offs []int, first, needDX bool) {
	_, wp, np := c.wide()
	k, ps := c.k(), c.padSize()
	gw, dcol := scratch[:c.cout*np], scratch[c.cout*np:][:k*np]
	xp, dxp := scratch[c.cout*np+k*np:][:ps], scratch[c.cout*np+k*np+ps:][:ps]
	gpre := scratch[c.cout*np+k*np+2*ps:][:len(ys)]
	// The pre-activation gradient (one vectorised pass), spread to the widened layout with
	// zeros in the dropped columns.
	actGrad(c.act, ys, gys, gpre)
	for o := 0; o < c.cout; o++ {
		for oy := 0; oy < c.oh; oy++ {
			copy(gw[o*np+oy*wp:][:c.ow], gpre[(o*c.oh+oy)*c.ow:])
			if oy < c.oh-1 {
				clear(gw[o*np+oy*wp+c.ow : o*np+(oy+1)*wp])
			}
		}
		sb[o] += float32(vecf.Sum64(gw[o*np : (o+1)*np]))
	}
	if !c.wt.frozen {
		ws.MulNT(swT, c.cout, c.patches(c.padded(xs, xp), offs), gemm.RowMajor(gw, c.cout, np), !first)
	}
	if !needDX {
		return
	}
	ws.Mul(dcol, np, gemm.RowMajor(c.wt.data, c.cout, k).T(), gemm.RowMajor(gw, c.cout, np), false)
	dst := dxs[:c.cin*c.h*c.w]
	if ps > 0 {
		dst = dxp
	}
	clear(dst)
	for r, off := range offs {
		d := dst[off : off+np]
		vecf.Combine(d, d, dcol[r*np:(r+1)*np], 1, 1, 0) // d += dcol row
	}
	if ps > 0 {
		hp, _, _ := c.wide()
		for ci := 0; ci < c.cin; ci++ {
			for iy := 0; iy < c.h; iy++ {
				copy(dxs[(ci*c.h+iy)*c.w:][:c.w], dxp[(ci*hp+iy+c.ph)*wp+c.pw:])
			}
		}
	}
}
