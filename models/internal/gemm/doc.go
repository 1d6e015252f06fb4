// Package gemm multiplies float32 matrices for the model kernels: C = A·B or C += A·B, with A
// and B addressed through row and column strides so that transposed operands cost no copy.
package gemm
