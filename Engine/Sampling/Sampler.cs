using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Kernels;

namespace IlgpuLstm.Engine.Sampling;

/// <summary>
/// The lesson's <c>sample()</c>: batch 1, eval mode, the prime fed one character at a time from a
/// zero state; only the prediction after the last prime character is kept, then <c>Length</c>
/// more characters are generated, each from the previous one. The output is the prime, then
/// 1 + Length characters, streamed to <c>emit</c> as they are drawn. Draws use host Philox keyed
/// by the seed, so a seed gives the same text on any accelerator whose logits agree.
/// </summary>
public sealed class Sampler(CharRnn model, Vocabulary vocabulary)
{
    public string Sample(string prime, SamplingOptions options, Action<string> emit)
    {
        options.Validate(vocabulary.Count);
        if (prime.Length == 0) throw new EngineException("the prime text is empty; give at least one character");
        var ids = vocabulary.Encode(prime, "the prime text");
        model.Prepare(1, 1);
        using var state = model.CreateState(1);
        var input = new int[1];
        var logits = new float[vocabulary.Count];
        var text = new System.Text.StringBuilder(prime);
        emit(prime);
        foreach (var id in ids)
            Step(id, state, input, logits);
        for (int i = 0; i <= options.Length; i++)
        {
            int next = Draw(logits, options, (ulong)i);
            var symbol = vocabulary.Decode(next);
            text.Append(symbol);
            emit(symbol);
            if (i < options.Length) Step(next, state, input, logits);
        }
        return text.ToString();
    }

    private void Step(int id, Layers.RecurrentState state, int[] input, float[] logits)
    {
        input[0] = id;
        model.SetBatch(input, null);
        model.Forward(state, training: false, 0, 0);
        model.Device.Ops.Download(model.Logits, logits);
    }

    /// <summary>Softmax of logits/T over the top k (or all), renormalised, then one inverse-CDF draw.</summary>
    public static int Draw(float[] logits, SamplingOptions options, ulong drawIndex)
    {
        int v = logits.Length;
        var order = Enumerable.Range(0, v).OrderByDescending(i => logits[i]).ThenBy(i => i).ToArray();
        if (options.Argmax) return order[0];
        int k = options.TopK ?? v;
        double max = logits[order[0]] / options.Temperature;
        var weights = new double[k];
        double total = 0;
        for (int j = 0; j < k; j++)
        {
            weights[j] = Math.Exp(logits[order[j]] / options.Temperature - max);
            total += weights[j];
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
