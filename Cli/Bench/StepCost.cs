using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Cli.Bench;

/// <summary>
/// What one training step of the character model must do at least, for a roofline reading:
/// the GEMM floating-point operations (forward, and backward's two products per forward GEMM;
/// the one-hot input projection is a gather, no FLOPs) and the bytes the step cannot avoid moving
/// once: every activation written in forward and read in backward, and the optimizer's pass over
/// parameters, gradients and both Adam moments (read and written). Divide by a device's peak
/// FLOP/s and memory bandwidth for the two lower bounds on the step time.
/// </summary>
internal static class StepCost
{
    public static (double Flops, double Bytes) Of(BenchShape s, CellKind cell, long parameters)
    {
        double rows = (double)s.Batch * s.Steps, h = s.Hidden, g = cell.Gates() * h, v = s.Vocab;
        double forward = 0;
        for (int l = 0; l < s.Layers; l++)
        {
            if (l > 0) forward += 2 * rows * g * h; // input projection of a dense layer
            forward += 2 * rows * g * h;            // recurrent GEMM over all steps
        }
        forward += 2 * rows * v * h;                // the output layer
        double flops = 3 * forward; // backward: dX and dW, one GEMM each, per forward GEMM
        // Activations: per layer gates (G), states (H, plus C for LSTM) and dropout; logits; each
        // written once and read once, 4 bytes a float.
        double perLayer = rows * (g + h * (cell == CellKind.Lstm ? 2 : 1) + (s.Dropout > 0 ? 2 * h : 0));
        double activations = 2 * 4 * (s.Layers * perLayer + 2 * rows * v);
        double optimizer = 4.0 * parameters * (4 + 3); // read p, g, m, v; write p, m, v
        return (flops, activations + optimizer);
    }
}
