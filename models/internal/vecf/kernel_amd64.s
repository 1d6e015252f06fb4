//go:build amd64 && !purego

#include "textflag.h"

// Constants of expf (see generic.go), one float32 each, broadcast where used.
DATA expc<>+0(SB)/4, $0xc2ae999a // lo -87.3
DATA expc<>+4(SB)/4, $0x42b0999a // hi 88.3
DATA expc<>+8(SB)/4, $0x3fb8aa3b // log2e 1.4426950408889634
DATA expc<>+12(SB)/4, $0x3f000000 // half 0.5
DATA expc<>+16(SB)/4, $0x3f318000 // c1 0.693359375
DATA expc<>+20(SB)/4, $0x395e8083 // c2 0.00021219444
DATA expc<>+24(SB)/4, $0x39506967 // p0 0.000198756915
DATA expc<>+28(SB)/4, $0x3ab743ce // p1 0.0013981999507
DATA expc<>+32(SB)/4, $0x3c088908 // p2 0.0083334519073
DATA expc<>+36(SB)/4, $0x3d2aa9c1 // p3 0.041665795894
DATA expc<>+40(SB)/4, $0x3e2aaaaa // p4 0.16666665459
DATA expc<>+44(SB)/4, $0x3f000000 // p5 0.50000001201
DATA expc<>+48(SB)/4, $0x3f800000 // one 1.0
DATA expc<>+52(SB)/4, $127 // exponent bias
GLOBL expc<>(SB), RODATA|NOPTR, $56

// func expActAVX2(dst, src, bias *float32, n int, a, c0, c1 float32)
// dst[i] = c0 + c1/(exp(a*(src[i]+bias[i]))+1) for i < n, n a multiple of 8; bias may be nil.
TEXT ·expActAVX2(SB), NOSPLIT, $0-44
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ bias+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS a+32(FP), Y8
	VBROADCASTSS c0+36(FP), Y7
	VBROADCASTSS c1+40(FP), Y6
	VBROADCASTSS expc<>+0(SB), Y15
	VBROADCASTSS expc<>+4(SB), Y14
	VBROADCASTSS expc<>+8(SB), Y13
	VBROADCASTSS expc<>+12(SB), Y12
	VBROADCASTSS expc<>+16(SB), Y11
	VBROADCASTSS expc<>+20(SB), Y10
	VBROADCASTSS expc<>+48(SB), Y9
	VPBROADCASTD expc<>+52(SB), Y5
	SHRQ $3, CX
	JZ done
loop:
	VMOVUPS (SI), Y0
	TESTQ DX, DX
	JZ nobias
	VADDPS (DX), Y0, Y0
	ADDQ $32, DX
nobias:
	VMULPS Y8, Y0, Y0
	VMAXPS Y15, Y0, Y0
	VMINPS Y14, Y0, Y0
	VMOVAPS Y0, Y1
	VFMADD213PS Y12, Y13, Y1
	VROUNDPS $1, Y1, Y1
	VFNMADD231PS Y11, Y1, Y0
	VFMADD231PS Y10, Y1, Y0
	VMULPS Y0, Y0, Y2
	VBROADCASTSS expc<>+24(SB), Y3
	VBROADCASTSS expc<>+28(SB), Y4
	VFMADD213PS Y4, Y0, Y3
	VBROADCASTSS expc<>+32(SB), Y4
	VFMADD213PS Y4, Y0, Y3
	VBROADCASTSS expc<>+36(SB), Y4
	VFMADD213PS Y4, Y0, Y3
	VBROADCASTSS expc<>+40(SB), Y4
	VFMADD213PS Y4, Y0, Y3
	VBROADCASTSS expc<>+44(SB), Y4
	VFMADD213PS Y4, Y0, Y3
	VFMADD213PS Y0, Y2, Y3
	VADDPS Y9, Y3, Y3
	VCVTPS2DQ Y1, Y1
	VPADDD Y5, Y1, Y1
	VPSLLD $23, Y1, Y1
	VMULPS Y1, Y3, Y3
	VADDPS Y9, Y3, Y3
	VDIVPS Y3, Y6, Y3
	VADDPS Y7, Y3, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

// func maxGatherAVX2(y *float32, arg *int32, x *float32, idx *int32, n int, off int32)
// For i < n (a multiple of 8), with j = idx[i]+off: if x[j] > y[i] { y[i], arg[i] = x[j], j }.
TEXT ·maxGatherAVX2(SB), NOSPLIT, $0-44
	MOVQ y+0(FP), DI
	MOVQ arg+8(FP), R8
	MOVQ x+16(FP), SI
	MOVQ idx+24(FP), DX
	MOVQ n+32(FP), CX
	MOVL off+40(FP), AX
	VMOVD AX, X7
	VPBROADCASTD X7, Y7
	SHRQ $3, CX
	JZ maxdone
maxloop:
	VMOVDQU (DX), Y6
	VPADDD Y7, Y6, Y6
	VPCMPEQD Y4, Y4, Y4
	VGATHERDPS Y4, (SI)(Y6*4), Y0
	VMOVUPS (DI), Y1
	VMOVDQU (R8), Y2
	VCMPPS $14, Y1, Y0, Y3
	VBLENDVPS Y3, Y0, Y1, Y1
	VBLENDVPS Y3, Y6, Y2, Y2
	VMOVUPS Y1, (DI)
	VMOVDQU Y2, (R8)
	ADDQ $32, DX
	ADDQ $32, DI
	ADDQ $32, R8
	DECQ CX
	JNZ maxloop
maxdone:
	VZEROUPPER
	RET

// func sum64AVX2(x *float32, n int) float64
// Σ x[i] for i < n (a multiple of 16), in float64: sixteen lanes in four accumulators, reduced
// in a fixed order.
TEXT ·sum64AVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	SHRQ $4, CX
	JZ sumdone
sumloop:
	VCVTPS2PD (SI), Y0
	VCVTPS2PD 16(SI), Y1
	VCVTPS2PD 32(SI), Y2
	VCVTPS2PD 48(SI), Y3
	VADDPD Y0, Y8, Y8
	VADDPD Y1, Y9, Y9
	VADDPD Y2, Y10, Y10
	VADDPD Y3, Y11, Y11
	ADDQ $64, SI
	DECQ CX
	JNZ sumloop
sumdone:
	VADDPD Y9, Y8, Y8
	VADDPD Y11, Y10, Y10
	VADDPD Y10, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VADDPD X9, X8, X8
	VHADDPD X8, X8, X8
	VMOVSD X8, ret+16(FP)
	VZEROUPPER
	RET

// func sqDev64AVX2(x *float32, n int, mean float64) float64
// Σ (x[i]-mean)² for i < n (a multiple of 16), in float64, summed as sum64AVX2.
TEXT ·sqDev64AVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSD mean+16(FP), Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	SHRQ $4, CX
	JZ sqdone
sqloop:
	VCVTPS2PD (SI), Y0
	VCVTPS2PD 16(SI), Y1
	VCVTPS2PD 32(SI), Y2
	VCVTPS2PD 48(SI), Y3
	VSUBPD Y7, Y0, Y0
	VSUBPD Y7, Y1, Y1
	VSUBPD Y7, Y2, Y2
	VSUBPD Y7, Y3, Y3
	VFMADD231PD Y0, Y0, Y8
	VFMADD231PD Y1, Y1, Y9
	VFMADD231PD Y2, Y2, Y10
	VFMADD231PD Y3, Y3, Y11
	ADDQ $64, SI
	DECQ CX
	JNZ sqloop
sqdone:
	VADDPD Y9, Y8, Y8
	VADDPD Y11, Y10, Y10
	VADDPD Y10, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VADDPD X9, X8, X8
	VHADDPD X8, X8, X8
	VMOVSD X8, ret+24(FP)
	VZEROUPPER
	RET

// func gradSums64AVX2(gs, x *float32, n int, mean, inv float32) (sg, sgx float64)
// Σ gs[i] and Σ gs[i]·((x[i]-mean)·inv) (the product in float32, the sums in float64) for
// i < n (a multiple of 8).
TEXT ·gradSums64AVX2(SB), NOSPLIT, $0-48
	MOVQ gs+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS mean+24(FP), Y6
	VBROADCASTSS inv+28(FP), Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	SHRQ $3, CX
	JZ gsdone
gsloop:
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VSUBPS Y6, Y1, Y1
	VMULPS Y7, Y1, Y1
	VMULPS Y0, Y1, Y1
	VCVTPS2PD X0, Y2
	VEXTRACTF128 $1, Y0, X3
	VCVTPS2PD X3, Y3
	VADDPD Y2, Y8, Y8
	VADDPD Y3, Y9, Y9
	VCVTPS2PD X1, Y2
	VEXTRACTF128 $1, Y1, X3
	VCVTPS2PD X3, Y3
	VADDPD Y2, Y10, Y10
	VADDPD Y3, Y11, Y11
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ CX
	JNZ gsloop
gsdone:
	VADDPD Y9, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VADDPD X9, X8, X8
	VHADDPD X8, X8, X8
	VMOVSD X8, sg+32(FP)
	VADDPD Y11, Y10, Y10
	VEXTRACTF128 $1, Y10, X11
	VADDPD X11, X10, X10
	VHADDPD X10, X10, X10
	VMOVSD X10, sgx+40(FP)
	VZEROUPPER
	RET

// func affineAVX2(dst, x *float32, n int, scale, shift float32, relu bool)
// dst[i] = x[i]·scale + shift (then max with 0 when relu) for i < n (a multiple of 8).
TEXT ·affineAVX2(SB), NOSPLIT, $0-33
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS scale+24(FP), Y6
	VBROADCASTSS shift+28(FP), Y7
	MOVBLZX relu+32(FP), AX
	VXORPS Y5, Y5, Y5
	SHRQ $3, CX
	JZ afdone
	TESTQ AX, AX
	JNZ afrelu
afloop:
	VMOVUPS (SI), Y0
	VFMADD213PS Y7, Y6, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ afloop
	JMP afdone
afrelu:
	VMOVUPS (SI), Y0
	VFMADD213PS Y7, Y6, Y0
	VMAXPS Y5, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ afrelu
afdone:
	VZEROUPPER
	RET

// func combineAVX2(dst, gs, x *float32, n int, a, b, c float32)
// dst[i] = a·gs[i] + b·x[i] + c for i < n (a multiple of 8).
TEXT ·combineAVX2(SB), NOSPLIT, $0-44
	MOVQ dst+0(FP), DI
	MOVQ gs+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	VBROADCASTSS a+32(FP), Y5
	VBROADCASTSS b+36(FP), Y6
	VBROADCASTSS c+40(FP), Y7
	SHRQ $3, CX
	JZ cbdone
cbloop:
	VMOVUPS (SI), Y0
	VFMADD213PS Y7, Y6, Y0
	VFMADD231PS (DX), Y5, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ cbloop
cbdone:
	VZEROUPPER
	RET

// func reluGradAVX2(dst, y, gy *float32, n int)
// dst[i] = gy[i] where y[i] > 0, else 0, for i < n (a multiple of 8).
TEXT ·reluGradAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ gy+16(FP), DX
	MOVQ n+24(FP), CX
	VXORPS Y5, Y5, Y5
	SHRQ $3, CX
	JZ rgdone
rgloop:
	VMOVUPS (SI), Y0
	VCMPPS $14, Y5, Y0, Y1
	VANDPS (DX), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ rgloop
rgdone:
	VZEROUPPER
	RET
