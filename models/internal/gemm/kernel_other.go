//go:build !amd64 || purego

package gemm

func bestKernel() kernel { return generic }

func kernels() []kernel { return []kernel{generic} }

func ntKernels() []ntSpec { return nil }
