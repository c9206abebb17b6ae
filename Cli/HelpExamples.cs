namespace IlgpuLstm.Cli;

/// <summary>
/// The examples each verb's help ends with, one command a line, never wrapped, so that a line
/// copied from a terminal runs as it is.
/// </summary>
internal static class HelpExamples
{
    private static readonly Dictionary<string, (string What, string Command)[]> Verbs = new()
    {
        ["train"] =
        [
            ("the lesson's model on tinyshakespeare with a 30-minute budget", "train --corpus tinyshakespeare --preset lesson --time-limit 30m"),
            ("a GRU on your own text", "train --corpus my.txt --cell gru --hidden-size 256 --checkpoint-dir runs/my-gru"),
            ("continue a stopped run", "train --resume checkpoints/anna-lstm-128x2"),
        ],
        ["sample"] = [("three 500-character samples at temperature 0.8", "sample --checkpoint checkpoints/anna-lstm-128x2/best.safetensors --prime Anna --length 500 --temperature 0.8 --count 3")],
        ["eval"] = [("the validation loss of a run's best model, as training measured it", "eval --checkpoint checkpoints/anna-lstm-128x2/best.safetensors")],
        ["inspect"] = [("what a run's best checkpoint holds", "inspect --checkpoint checkpoints/anna-lstm-128x2/best.safetensors")],
        ["export"] = [("a run's best model for ONNX Runtime", "export --checkpoint checkpoints/anna-lstm-128x2/best.safetensors --out anna.onnx")],
        ["plot"] = [("compare two runs", "plot checkpoints/anna-lstm-128x2 checkpoints/anna-gru-128x2 --out compare.png")],
        ["timeseries"] = [("the sine-wave lesson with a GRU, figures in ./plots", "timeseries --cell gru --plot-dir plots")],
        ["devices"] = [("what this machine can run on", "devices")],
        ["selftest"] = [("check every kernel on the GPU", "selftest --accelerator cuda")],
        ["bench"] =
        [
            ("training speed of a 2 x 256 GRU at batch 64", "bench train --cell gru --hidden-size 256 --batch-size 64"),
            ("every kernel, checked then timed", "bench kernels --accelerator cpu"),
        ],
    };

    /// <summary>Writes the verb's examples, if it has any.</summary>
    public static void Write(string verb, TextWriter output)
    {
        if (!Verbs.TryGetValue(verb, out var examples)) return;
        output.WriteLine("EXAMPLES:");
        foreach (var (what, command) in examples)
        {
            output.WriteLine($"  # {what}");
            output.WriteLine($"  ilgpu-lstm {command}");
        }
        output.WriteLine();
    }

    /// <summary>Every example's command line (tests parse each).</summary>
    public static IEnumerable<string> All => Verbs.Values.SelectMany(v => v).Select(e => e.Command);
}
