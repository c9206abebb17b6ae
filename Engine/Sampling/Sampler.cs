using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Sampling;

/// <summary>
/// The lesson's <c>sample()</c>: batch 1, eval mode, the prime fed one character at a time from a
/// zero state; the character predicted after the last prime character is drawn, then each next one
/// from the previous: <c>Length</c> new characters in all (the lesson's <c>sample(size)</c> draws
/// size + 1), streamed as they are drawn after the prime. Draws use host Philox keyed
/// by the seed, so a seed gives the same text on any accelerator whose logits agree.
/// </summary>
/// <remarks>Each character's work (forward and draw) runs under <paramref name="gate"/> after <paramref name="check"/>,
/// so streams on one model may interleave across threads; each stream has its own state.</remarks>
internal sealed class Sampler(CharRnn model, Vocabulary vocabulary, object? gate = null, Action? check = null)
{
    private readonly object gate = gate ?? new object();
    private readonly Action check = check ?? (() => { });

    private readonly int[] order = new int[vocabulary.Count];
    private readonly double[] weights = new double[vocabulary.Count];
    private float[] sortKeys = [];
    private Comparison<int>? byLogit;

    public string Sample(string prime, SamplingOptions options, Action<string> emit)
    {
        var text = new System.Text.StringBuilder();
        foreach (var piece in Stream(prime, options))
        {
            text.Append(piece);
            emit(piece);
        }
        return text.ToString();
    }

    /// <summary>The prime, then each drawn character as it is drawn (checked before the first is yielded).</summary>
    public IEnumerable<string> Stream(string prime, SamplingOptions options)
    {
        options.Validate(vocabulary.Count);
        if (prime.Length == 0) throw new EngineException("the prime text is empty; give at least one character");
        var ids = vocabulary.Encode(prime, "the prime text");
        return Draws(prime, ids, options);
    }

    private IEnumerable<string> Draws(string prime, int[] ids, SamplingOptions options)
    {
        RecurrentStateHolder holder;
        lock (gate)
        {
            check();
            holder = new RecurrentStateHolder(model.CreateState(1), gate);
        }
        using var _ = holder;
        var state = holder.State;
        var input = new int[1];
        var logits = new float[vocabulary.Count];
        yield return prime;
        lock (gate)
        {
            check();
            foreach (var id in ids)
                Step(id, state, input, logits);
        }
        for (int i = 0; i < options.Length; i++)
        {
            int next;
            lock (gate)
            {
                check();
                next = Draw(logits, options, (ulong)i);
                if (i + 1 < options.Length) Step(next, state, input, logits);
            }
            yield return vocabulary.Decode(next);
        }
    }

    /// <summary>Frees a stream's state under the gate; a disposed device took its memory with it already.</summary>
    private sealed class RecurrentStateHolder(Layers.RecurrentState state, object gate) : IDisposable
    {
        public Layers.RecurrentState State => state;

        public void Dispose()
        {
            lock (gate)
            {
                try
                {
                    state.Dispose();
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }
    }

    /// <summary>One character in, the next character's logits out: the per-character work, allocation-free.</summary>
    private void Step(int id, Layers.RecurrentState state, int[] input, float[] logits)
    {
        model.Prepare(1, 1); // another call on this model may have sized it otherwise (nothing is allocated when it did not)
        input[0] = id;
        model.SetBatch(input, null);
        model.Forward(state, training: false, 0, 0);
        model.Device.Ops.Download(model.Logits, logits);
    }

    /// <summary>
    /// Softmax of logits/T over the top k (or all), cut to the top-p nucleus when set, renormalised,
    /// then one inverse-CDF draw. Candidates are ordered by logit, ties by index; only the first k
    /// are ordered, in place (all of them for top-p, whose cut needs the whole order).
    /// </summary>
    public int Draw(float[] logits, SamplingOptions options, ulong drawIndex)
    {
        int v = logits.Length;
        int k = options.Argmax ? 1 : options.TopK ?? v;
        for (int i = 0; i < v; i++) order[i] = i;
        if (options.TopP is not null && !options.Argmax)
        {
            // Top-p needs the whole order: one O(V log V) sort, allocation-free after the first draw.
            sortKeys = logits;
            byLogit ??= (a, b) => sortKeys[a] != sortKeys[b] ? sortKeys[b].CompareTo(sortKeys[a]) : a.CompareTo(b);
            Array.Sort(order, byLogit);
        }
        else
        {
            // Partial selection sort: k passes, each moving the best remaining candidate forward.
            for (int j = 0; j < k; j++)
            {
                int best = j;
                for (int i = j + 1; i < v; i++)
                {
                    float a = logits[order[i]], b = logits[order[best]];
                    if (a > b || (a == b && order[i] < order[best])) best = i;
                }
                (order[j], order[best]) = (order[best], order[j]);
            }
        }
        if (options.Argmax) return order[0];
        double max = logits[order[0]] / options.Temperature;
        double total = 0;
        for (int j = 0; j < k; j++)
        {
            weights[j] = Math.Exp(logits[order[j]] / options.Temperature - max);
            total += weights[j];
        }
        if (options.TopP is { } p && p < 1)
        {
            // The smallest prefix of the ordered candidates whose share of the mass reaches p.
            double kept = 0;
            int cut = 0;
            while (cut < k && kept < p * total) kept += weights[cut++];
            k = Math.Max(1, cut);
            total = kept;
        }
        uint hi = Philox.Generate((uint)drawIndex, (uint)(drawIndex >> 32), 0x5A3D_0000, 0, (uint)options.Seed,
            (uint)(options.Seed >> 32));
        double u = Philox.ToUnitFloat(hi) * total;
        for (int j = 0; j < k; j++)
        {
            u -= weights[j];
            if (u < 0) return order[j];
        }
        return order[k - 1];
    }
}
