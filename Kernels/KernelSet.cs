using ILGPU;
using ILGPU.Runtime;

namespace IlgpuLstm.Kernels;

/// <summary>
/// Every kernel, loaded once for one accelerator with the launch settings of its
/// <see cref="LaunchPolicy"/>. Loading compiles (100+ ms each on the CPU accelerator), so this is
/// built once at start-up and nothing is loaded inside a training step. Kernels run on the
/// accelerator's default stream, in order.
/// </summary>
internal sealed class KernelSet
{
    public KernelSet(Accelerator accelerator, LaunchPolicy policy)
    {
        Policy = policy;
        int g = policy.GroupSize;
        GemmRowBlock = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, GemmArgs>(Gemm.RowBlock, g);
        // Every GEMM version is loaded everywhere, whatever the policy prefers, so tests, selftest
        // and bench can check and time each on any accelerator.
        GemmTiled = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            GemmArgs, int>(Gemm.Tiled);
        GemmTiledBlocked = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            GemmArgs, int>(Gemm.TiledBlocked);
        GemmTiledBlockedSplit = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs, int, int>(
            Gemm.TiledBlockedSplit);
        GemmSumSplits = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            GemmArgs, int>(Gemm.SumSplits, g);
        RecurrentStep = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>(Kernels.RecurrentStep.Forward);
        OneHotForward = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int, int>(OneHotProjection.Forward, g);
        OneHotBackward = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<float>,
            ArrayView<float>, int, int, int>(OneHotProjection.Backward, g);
        LstmForward = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(LstmCell.Forward, g);
        LstmBackward = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(LstmCell.Backward, g);
        GruForward = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int>(GruCell.Forward, g);
        GruBackward = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(GruCell.Backward, g);
        RnnForward = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>>(RnnCell.Forward, g);
        RnnBackward = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>>(RnnCell.Backward, g);
        CrossEntropy = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>,
            ArrayView<float>, ArrayView<float>, int, float>(SoftmaxCrossEntropy.ForwardBackward, g);
        Mse = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, float>(MeanSquaredError.ForwardBackward, g);
        ReducePartials = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            int, int>(Reduction.Partials, g);
        ReduceFinal = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            int, float>(Reduction.Final, g);
        ColumnPartials = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            int, int, int>(Reduction.ColumnPartials, g);
        ColumnFinal = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, int, int, int>(Reduction.ColumnFinal, g);
        ClipCoefficient = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, int, int, int,
            float>(GradNorm.ClipCoefficient, g);
        Clamp = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, float>(GradNorm.Clamp, g);
        Adam = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, int, OptimizerArgs>(Optimizers.Adam, g);
        Sgd = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int, OptimizerArgs>(Optimizers.Sgd, g);
        RmsProp = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, int, OptimizerArgs>(Optimizers.RmsProp, g);
        DropoutForward = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, DropoutArgs>(Dropout.Forward, g);
        DropoutBackward = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            ArrayView<float>>(Dropout.Backward, g);
        Fill = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, float>(Elementwise.Fill, g);
        Transpose = accelerator.LoadImplicitlyGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>,
            int, int, int, int>(Elementwise.Transpose, g);
    }

    public LaunchPolicy Policy { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs> GemmRowBlock { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs, int> GemmTiled { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs, int> GemmTiledBlocked { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs, int, int> GemmTiledBlockedSplit { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs, int> GemmSumSplits { get; }
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int> RecurrentStep
    { get; }
    public Action<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> OneHotForward { get; }
    public Action<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int> OneHotBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> LstmForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> LstmBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> GruForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> GruBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> RnnForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> RnnBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, float> CrossEntropy { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> Mse { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> ReducePartials { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, float> ReduceFinal { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> ColumnPartials { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> ColumnFinal { get; }
    public Action<Index1D, ArrayView<float>, int, int, int, float> ClipCoefficient { get; }
    public Action<Index1D, ArrayView<float>, float> Clamp { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, OptimizerArgs> Adam { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, OptimizerArgs> Sgd { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, OptimizerArgs> RmsProp { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, DropoutArgs> DropoutForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> DropoutBackward { get; }
    public Action<Index1D, ArrayView<float>, float> Fill { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int> Transpose { get; }
}
