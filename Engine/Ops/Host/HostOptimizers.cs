using System.Numerics;
using System.Runtime.CompilerServices;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Ops.Host;

/// <summary>
/// Adam, SGD and RMSprop over the flat parameter buffer on the host, line by line as
/// <see cref="Optimizers"/> (PyTorch's single-tensor rules), SIMD over chunks of parameters.
/// The clip factor arrives as a value: on the host reading it costs nothing.
/// </summary>
internal static unsafe class HostOptimizers
{
    public enum Rule { Adam, Sgd, RmsProp }

    public static void Run(WorkerPool pool, Rule rule, float* param, float* grad, float* state1, float* state2,
        float clip, OptimizerArgs args, int count)
    {
        var job = new Job
        {
            Rule = rule,
            Param = param,
            Grad = grad,
            S1 = state1,
            S2 = state2,
            Clip = clip,
            Args = args,
            Count = count,
            Chunks = HostOps.Chunks(count, HostOps.Grain)
        };
        pool.Run(&Chunk, (nint)(&job), job.Chunks);
    }

    private static void Chunk(nint p, int chunk)
    {
        ref var j = ref Unsafe.AsRef<Job>((void*)p);
        var (start, end) = HostOps.Range(j.Count, j.Chunks, chunk);
        switch (j.Rule)
        {
            case Rule.Adam: Adam(ref j, start, end); break;
            case Rule.Sgd: Sgd(ref j, start, end); break;
            default: RmsProp(ref j, start, end); break;
        }
    }

    private static void Adam(ref Job j, int start, int end)
    {
        var a = j.Args;
        int w = Vector<float>.Count, i = start;
        var clip = new Vector<float>(j.Clip);
        var wd = new Vector<float>(a.WeightDecay);
        var oneMinusB1 = new Vector<float>(1f - a.Beta1);
        var b2 = new Vector<float>(a.Beta2);
        var oneMinusB2 = new Vector<float>(1f - a.Beta2);
        var bc2 = new Vector<float>(a.BiasCorrection2Sqrt);
        var eps = new Vector<float>(a.Eps);
        var negStep = new Vector<float>(-a.StepSize);
        for (; i <= end - w; i += w)
        {
            var p = Vector.Load(j.Param + i);
            var g = Vector.Load(j.Grad + i) * clip;
            if (a.WeightDecay != 0f) g += wd * p;
            var m = Vector.Load(j.S1 + i);
            m += oneMinusB1 * (g - m);
            var v = b2 * Vector.Load(j.S2 + i) + oneMinusB2 * g * g;
            m.Store(j.S1 + i);
            v.Store(j.S2 + i);
            var denom = Vector.SquareRoot(v) / bc2 + eps;
            (p + negStep * m / denom).Store(j.Param + i);
        }
        for (; i < end; i++)
        {
            float g = j.Grad[i] * j.Clip;
            if (a.WeightDecay != 0f) g += a.WeightDecay * j.Param[i];
            float m = j.S1[i] + (1f - a.Beta1) * (g - j.S1[i]);
            float v = a.Beta2 * j.S2[i] + (1f - a.Beta2) * g * g;
            j.S1[i] = m;
            j.S2[i] = v;
            float denom = MathF.Sqrt(v) / a.BiasCorrection2Sqrt + a.Eps;
            j.Param[i] = j.Param[i] + (-a.StepSize * m) / denom;
        }
    }

    private static void Sgd(ref Job j, int start, int end)
    {
        var a = j.Args;
        for (int i = start; i < end; i++)
        {
            float g = j.Grad[i] * j.Clip;
            if (a.WeightDecay != 0f) g += a.WeightDecay * j.Param[i];
            float step = g;
            if (a.Momentum != 0f)
            {
                float b = a.Momentum * j.S1[i] + g;
                j.S1[i] = b;
                step = a.Nesterov != 0 ? g + a.Momentum * b : b;
            }
            j.Param[i] = j.Param[i] - a.Lr * step;
        }
    }

    private static void RmsProp(ref Job j, int start, int end)
    {
        var a = j.Args;
        for (int i = start; i < end; i++)
        {
            float g = j.Grad[i] * j.Clip;
            if (a.WeightDecay != 0f) g += a.WeightDecay * j.Param[i];
            float s = a.Beta2 * j.S1[i] + (1f - a.Beta2) * g * g;
            j.S1[i] = s;
            j.Param[i] = j.Param[i] - a.Lr * g / (MathF.Sqrt(s) + a.Eps);
        }
    }

    private struct Job
    {
        public Rule Rule;
        public float* Param, Grad, S1, S2;
        public float Clip;
        public OptimizerArgs Args;
        public int Count, Chunks;
    }
}
