// Samples LENGTH characters from an exported model (ilgpu-lstm export) through ONNX Runtime, one
// character a call with the state fed back, top-k 5 as the lesson samples, and prints the speed
// as JSON. Usage: OnnxSampling MODEL.onnx [LENGTH] [THREADS]
using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

string path = args[0];
int length = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000;
int threads = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1;
using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
using var session = new InferenceSession(path, options);
var meta = session.ModelMetadata.CustomMetadataMap;
var vocab = JsonSerializer.Deserialize<string[]>(meta["vocab"])!;
int layers = int.Parse(meta["num_layers"], System.Globalization.CultureInfo.InvariantCulture);
int hidden = int.Parse(meta["hidden_size"], System.Globalization.CultureInfo.InvariantCulture);
bool lstm = meta["cell"] == "lstm";
var random = new Random(1);

var h = new float[layers * hidden];
var c = new float[layers * hidden];
var token = new long[1];
using var runOptions = new RunOptions();
string[] inputNames = lstm ? ["tokens", "h0", "c0"] : ["tokens", "h0"];
string[] outputNames = lstm ? ["logits", "hn", "cn"] : ["logits", "hn"];

// One character in, its logits out; the state stays in h and c.
float[] Step(int id)
{
    token[0] = id;
    using var t = OrtValue.CreateTensorValueFromMemory(token, [1, 1]);
    using var h0 = OrtValue.CreateTensorValueFromMemory(h, [layers, 1, hidden]);
    using var c0 = OrtValue.CreateTensorValueFromMemory(c, [layers, 1, hidden]);
    using var results = session.Run(runOptions, inputNames, lstm ? [t, h0, c0] : [t, h0], outputNames);
    results[1].GetTensorDataAsSpan<float>().CopyTo(h);
    if (lstm) results[2].GetTensorDataAsSpan<float>().CopyTo(c);
    return results[0].GetTensorDataAsSpan<float>().ToArray();
}

// The k most probable characters, renormalised, one draw.
int Draw(float[] logits, int k)
{
    var top = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(k).ToArray();
    var weights = top.Select(i => Math.Exp(logits[i] - logits[top[0]])).ToArray();
    double u = random.NextDouble() * weights.Sum();
    for (int j = 0; j < k; j++)
        if ((u -= weights[j]) < 0) return top[j];
    return top[^1];
}

int Sample(int count)
{
    Array.Clear(h);
    Array.Clear(c);
    var logits = Step(0);
    int next = 0;
    for (int i = 0; i < count; i++)
    {
        next = Draw(logits, Math.Min(5, vocab.Length));
        logits = Step(next);
    }
    return next;
}

Sample(20); // warm-up
var watch = Stopwatch.StartNew();
Sample(length);
double seconds = watch.Elapsed.TotalSeconds;
Console.WriteLine(JsonSerializer.Serialize(new { model = path, threads, characters = length, chars_per_second = length / seconds }));
