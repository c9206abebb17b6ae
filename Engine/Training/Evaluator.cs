using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Models;

namespace IlgpuLstm.Engine.Training;

/// <summary>
/// The lesson's validation: eval mode (no dropout), a zero state at the start carried across
/// the batches, and the mean of the per-batch mean losses. <c>maxBatches</c> &gt; 0 evaluates only
/// the first batches of the split (nanoGPT's eval_iters), for slow accelerators.
/// </summary>
internal static class Evaluator
{
    public static double MeanLoss(CharRnn model, CharBatches batches, Layers.RecurrentState? state = null,
        int maxBatches = 0, CancellationToken cancellationToken = default)
    {
        int count = maxBatches > 0 ? Math.Min(maxBatches, batches.Count) : batches.Count;
        model.Prepare(batches.BatchSize, batches.SeqLength);
        using var owned = state is null ? model.CreateState(batches.BatchSize) : null;
        var s = state ?? owned!;
        s.Reset();
        var x = new int[batches.BatchSize * batches.SeqLength];
        var y = new int[x.Length];
        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batches.Fill(i, x, y);
            model.SetBatch(x, y);
            model.Forward(s, training: false, 0, 0);
            model.Loss();
            sum += model.ReadScalar(CharRnn.LossSlot);
        }
        return sum / count;
    }
}
