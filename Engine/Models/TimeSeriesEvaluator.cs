using ILGPU;
using ILGPU.Runtime;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm.Engine.Models;

/// <summary>
/// Runs a <see cref="TimeSeriesRnn"/>'s weights over a whole series at batch 1, from a zero state
/// carried through it window by window, and returns the output of every row. The recurrence is
/// causal, so row t's output depends on rows up to t only: one pass serves every forecast origin.
/// </summary>
internal sealed class TimeSeriesEvaluator : IDisposable
{
    private readonly ComputeDevice device;
    private readonly TimeSeriesRnn model;
    private readonly Recurrent rnn;
    private readonly RecurrentState state;
    private readonly BufferGroup owned;
    private readonly ArrayView<float> x, prediction;
    private readonly float[] hostX, hostPrediction;

    public TimeSeriesEvaluator(ComputeDevice device, TimeSeriesRnn model)
    {
        this.device = device;
        this.model = model;
        rnn = new Recurrent(device, model.Store, "rnn", model.Cell, model.InputSize, model.HiddenSize, model.NumLayers, 0f, batchFirst: true);
        rnn.Prepare(1, model.Steps);
        state = new RecurrentState(device, model.Cell, model.NumLayers, 1, model.HiddenSize);
        owned = new BufferGroup(device);
        x = owned.Allocate<float>((long)model.Steps * model.InputSize, "evaluation inputs");
        prediction = owned.Allocate<float>((long)model.Steps * model.OutputSize, "evaluation outputs");
        hostX = new float[model.Steps * model.InputSize];
        hostPrediction = new float[model.Steps * model.OutputSize];
    }

    /// <summary>Outputs (rows x output size) for <paramref name="inputs"/> (rows x input size).</summary>
    public float[] Run(float[] inputs, int rows)
    {
        int window = model.Steps, f = model.InputSize, o = model.OutputSize;
        var outputs = new float[(long)rows * o];
        state.Reset();
        for (int start = 0; start < rows; start += window)
        {
            int n = Math.Min(window, rows - start);
            // A short last window is padded with zeros after its rows; they cannot reach the rows before them.
            Array.Clear(hostX);
            Array.Copy(inputs, (long)start * f, hostX, 0, (long)n * f);
            x.CopyFromCPU(hostX);
            var output = rnn.Forward(RecurrentInput.FromDense(x, f), state, training: false, 0, 0);
            model.Fc.Forward(output, prediction, window);
            device.Ops.Download(prediction, hostPrediction);
            Array.Copy(hostPrediction, 0, outputs, (long)start * o, (long)n * o);
        }
        return outputs;
    }

    public void Dispose()
    {
        owned.Dispose();
        state.Dispose();
        rnn.Dispose();
    }
}
