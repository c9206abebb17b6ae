using System.Text.Json;
using IlgpuLstm.Cli;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Forecasting;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Tests.Cli;

namespace IlgpuLstm.Tests.Engine;

/// <summary>Forecasting a user's series: CSV input and its errors, the split and scaling, the baselines, training, save and load.</summary>
[Collection(DeviceCollection.Name)]
public sealed class ForecastingTests(CpuDeviceFixture fixture) : IDisposable
{
    private readonly TempDirectory dir = new();
    private readonly ComputeDevice device = fixture.Device;

    private string Csv(string name, string text)
    {
        var path = dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReadsCommaSemicolonAndTabFilesWithQuotesAndATimeColumn()
    {
        var comma = TimeSeriesData.ReadCsv(Csv("a.csv", "date,\"y, ppm\",x\n2020-01-01,1.5,3\n2020-02-01,2.5,4\n2020-03-01,2,5\n"), "y, ppm", ["x"]);
        Assert.Equal([1.5, 2.5, 2], comma.Target);
        Assert.Equal([3.0, 4, 5], comma.Inputs[0]);
        Assert.Equal("date", comma.TimeName);
        Assert.Equal("2020-03-01", comma.Times![^1]);
        var semicolon = TimeSeriesData.ReadCsv(Csv("b.csv", "t;Y\n1;4\n2;5\n"), "y");
        Assert.Equal([4.0, 5], semicolon.Target);
        var tab = TimeSeriesData.ReadCsv(Csv("c.csv", "a\tb\n1\t2\n3\t5\n"), "b", ["a"]);
        Assert.Equal([2.0, 5], tab.Target);
        Assert.Null(tab.TimeName);
    }

    [Theory]
    [InlineData("date,y\n2020-01-01,1\n2020-01-02,abc\n", "y", "row 3, column 'y': 'abc' is not a number")]
    [InlineData("date,y\n2020-01-01,1\n2020-01-02,\n2020-01-03,4\n", "y", "row 3, column 'y': the value is missing; fill it in the file, or fill gaps with --fill previous|linear")]
    [InlineData("date,y\n2020-01-02,1\n2020-01-01,2\n", "y", "row 3, column 'date': 2020-01-01 does not come after the row before (2020-01-02); sort the file")]
    [InlineData("date,y\n2020-01-01,1\n2020-01-02,1\n", "y", "column 'y': every row holds 1; a constant column")]
    [InlineData("date,y\n2020-01-01,1\n2020-01-02,2,3\n", "y", "row 3: 3 fields, the header has 2")]
    [InlineData("date,temp\n2020-01-01,1\n", "tmp", "has no column 'tmp' for the target (its columns: date, temp)")]
    public void RefusesBadFilesNamingRowAndColumn(string text, string target, string expected)
    {
        var path = Csv("bad.csv", text);
        var e = Assert.Throws<EngineException>(() => TimeSeriesData.ReadCsv(path, target));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FillsGapsWithThePreviousValueOrLinearly()
    {
        var path = Csv("gaps.csv", "y\nNA\n1\n\n\n4\n5\n");
        Assert.Equal([1.0, 1, 1, 1, 4, 5], TimeSeriesData.ReadCsv(path, "y", fill: MissingValues.Previous).Target);
        Assert.Equal([1.0, 1, 2, 3, 4, 5], TimeSeriesData.ReadCsv(path, "y", fill: MissingValues.Linear).Target);
    }

    [Fact]
    public void BaselinesAreTheLastValueAndTheValueASeasonEarlier()
    {
        // y = 0, 1, 2, ...: persistence misses by h at step h; seasonal naive (S = 2) by 2 at h = 1, 2 and by 4 at h = 3.
        double[] y = [.. Enumerable.Range(0, 20).Select(i => (double)i)];
        var origins = (From: 10, To: 17);
        Assert.Equal(2.0, ForecastErrors.Persistence(y, origins, 3).Mae, 12);
        Assert.Equal(Math.Sqrt((1 + 4 + 9) / 3.0), ForecastErrors.Persistence(y, origins, 3).Rmse, 12);
        Assert.Equal((2 + 2 + 4) / 3.0, ForecastErrors.SeasonalNaive(y, origins, 3, 2).Mae, 12);
        var split = SeriesSplit.Of(100, 0.1, 0.2, 5);
        Assert.Equal((0, 65), split.TrainOrigins);
        Assert.Equal((70, 75), split.ValidationOrigins);
        Assert.Equal((80, 95), split.TestOrigins);
    }

    [Fact]
    public void ScalingIsFittedOnTheTrainingRowsAlone()
    {
        double[] y = [.. Enumerable.Range(0, 50).Select(i => Math.Sin(i * 0.4) + 0.01 * i)];
        var changed = y.ToArray();
        for (int i = 40; i < 50; i++) changed[i] += 100;
        var a = SeriesScaling.Fit(TimeSeriesData.FromArrays(y), 30, 3, level: true, season: 0);
        var b = SeriesScaling.Fit(TimeSeriesData.FromArrays(changed), 30, 3, level: true, season: 0);
        Assert.Equal(a, b with { Means = a.Means, Scales = a.Scales, TargetScales = a.TargetScales });
        Assert.Equal(a.Means, b.Means);
        Assert.Equal(a.Scales, b.Scales);
        Assert.Equal(a.TargetScales, b.TargetScales);
    }

    /// <summary>A rising seasonal series with noise: persistence misses the season, seasonal naive the trend.</summary>
    private static TimeSeriesData Seasonal(int rows = 360)
    {
        var random = new Random(3);
        double[] y = [.. Enumerable.Range(0, rows).Select(t => 0.05 * t + 3 * Math.Sin(2 * Math.PI * t / 12) + 0.2 * (random.NextDouble() - 0.5))];
        return TimeSeriesData.FromArrays(y, targetName: "y");
    }

    private static ForecastOptions Small => new()
    {
        HiddenSize = 16,
        Window = 12,
        Horizon = 3,
        Season = 12,
        LevelInput = false,
        Epochs = 60,
        BatchSize = 4,
        LearningRate = 0.01,
        Patience = 0,
    };

    [Fact]
    public void TheForecasterBeatsBothBaselinesOnASeasonalTrendAndRoundTripsThroughAFile()
    {
        var data = Seasonal();
        using var forecaster = TimeSeriesForecaster.Train(device, data, Small);
        var test = forecaster.Training!.Test;
        Assert.True(test.Mae < test.PersistenceMae && test.Mae < test.SeasonalNaiveMae,
            $"model {test.Mae}, persistence {test.PersistenceMae}, seasonal naive {test.SeasonalNaiveMae}");
        var path = dir.File("f.safetensors");
        forecaster.Save(path);
        using var loaded = TimeSeriesForecaster.Load(path, device);
        Assert.Equal(forecaster.Forecast(data), loaded.Forecast(data));
        Assert.Equal(test, loaded.Evaluate(data));
        Assert.Equal(3, loaded.Forecast(data).Length);
        Assert.Contains("rnn.weight_ih_l0", SafetensorsNames(path));
        loaded.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loaded.Forecast(data));
    }

    [Fact]
    public void TheSameSeedTrainsTheSameForecasterBitForBit()
    {
        var options = Small with { Epochs = 5 };
        using var a = TimeSeriesForecaster.Train(device, Seasonal(), options);
        using var b = TimeSeriesForecaster.Train(device, Seasonal(), options);
        Assert.Equal(a.Training!.Losses, b.Training!.Losses);
        Assert.Equal(a.Forecast(Seasonal()), b.Forecast(Seasonal()));
    }

    [Fact]
    public void TooShortASeriesIsRefusedWithWhatToChange()
    {
        var e = Assert.Throws<UsageException>(() => TimeSeriesForecaster.Train(device, Seasonal(40), Small with { Window = 24 }));
        Assert.Contains("fewer than one batch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCliTrainsOnACsvPrintsJsonAndForecastsFromTheCheckpoint()
    {
        var data = Seasonal(240);
        var lines = data.Target.Select((v, t) => $"{2000 + t / 12}-{t % 12 + 1:D2}-01,{v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
        var csv = Csv("series.csv", "month,value\n" + string.Join('\n', lines) + "\n");
        var run = Path.Combine(dir.Path, "run");
        var r = CliRunner.Run("timeseries", "--csv", csv, "--target", "value", "--horizon", "3", "--season", "12", "--window", "12",
            "--hidden-size", "8", "--epochs", "5", "--batch-size", "4", "--checkpoint-dir", run, "--accelerator", "cpu", "--json");
        Assert.True(r.Code == 0, r.Err);
        using var json = JsonDocument.Parse(r.Out);
        foreach (var key in new[] { "test_mae", "test_rmse", "persistence_mae", "seasonal_naive_mae", "origins", "best_epoch" })
            Assert.True(json.RootElement.TryGetProperty(key, out _), key);
        foreach (var name in new[] { "best.safetensors", "latest.safetensors", "metrics.jsonl", "forecast.png", "loss.png" })
            Assert.True(File.Exists(Path.Combine(run, name)), name);

        var again = CliRunner.Run("timeseries", "--csv", csv, "--target", "value", "--window", "12", "--batch-size", "4",
            "--checkpoint-dir", run, "--accelerator", "cpu");
        Assert.Equal(ExitCodes.Error, again.Code);
        Assert.Contains("holds the checkpoints of another run", again.Err, StringComparison.Ordinal);

        var more = CliRunner.Run("timeseries", "--resume", run, "--csv", csv, "--epochs", "7", "--accelerator", "cpu", "--print-every", "1");
        Assert.True(more.Code == 0, more.Err);
        Assert.Contains("Epoch: 7...", more.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Epoch: 5...", more.Out, StringComparison.Ordinal);
        var changed = CliRunner.Run("timeseries", "--resume", run, "--csv", csv, "--window", "6", "--accelerator", "cpu");
        Assert.Equal(ExitCodes.Usage, changed.Code);
        Assert.Contains("--window cannot be given", changed.Err, StringComparison.Ordinal);

        var f = CliRunner.Run("forecast", "--checkpoint", Path.Combine(run, "best.safetensors"), "--csv", csv, "--accelerator", "cpu");
        Assert.True(f.Code == 0, f.Err);
        Assert.Contains("value after 2019-12-01:", f.Out, StringComparison.Ordinal);
        Assert.Contains("+3 2020-03-01 ", f.Out, StringComparison.Ordinal);

        var lesson = CliRunner.Run("timeseries", "--target", "value", "--accelerator", "cpu");
        Assert.Equal(ExitCodes.Usage, lesson.Code);
        Assert.Contains("--target needs --csv FILE", lesson.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void AStoppedRunResumesExactlyFromItsLastWholeEpoch()
    {
        var data = Seasonal(200);
        var options = Small with { Epochs = 6, Patience = 0, NumLayers = 2, Dropout = 0.2 };
        using var whole = TimeSeriesForecaster.Train(device, data, options with { RunDirectory = Path.Combine(dir.Path, "whole") });

        // Stopped by its token inside epoch 3: the resume point is the end of epoch 2.
        var run = Path.Combine(dir.Path, "parts");
        using var cancel = new CancellationTokenSource();
        var stopper = new Stopper(r => { if (r.Epoch == 2) cancel.Cancel(); });
        using (var first = TimeSeriesForecaster.Train(device, data, options with { RunDirectory = run }, stopper, cancel.Token))
            Assert.Equal("interrupted", first.Training!.StopReason);
        using var second = TimeSeriesForecaster.Resume(device, run, data);
        Assert.Equal(whole.Training!.Losses[^second.Training!.Losses.Length..], second.Training.Losses);
        Assert.Equal(whole.Training.Reports.Skip(2).Select(r => r.ValidationMae), second.Training.Reports.Select(r => r.ValidationMae));
        Assert.Equal(whole.Forecast(data), second.Forecast(data));
        Assert.Equal(6, second.Training.Epochs);

        var other = TimeSeriesData.FromArrays(data.Target.Select(v => v + 1).ToArray(), targetName: "y");
        var e = Assert.Throws<EngineException>(() => TimeSeriesForecaster.Resume(device, run, other, new ForecastResumeOptions { Epochs = 8 }));
        Assert.Contains("the data is not the run's", e.Message, StringComparison.Ordinal);
    }

    private sealed class Stopper(Action<ForecastReport> report) : IProgress<ForecastReport>
    {
        public void Report(ForecastReport value) => report(value);
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void TheOnnxExportForecastsWhatTheLibraryDoes(CellKind cell)
    {
        var data = Seasonal(200);
        using var forecaster = TimeSeriesForecaster.Train(device, data, Small with { Cell = cell, Epochs = 3, NumLayers = 2 });
        var checkpoint = dir.File($"{cell}.safetensors");
        forecaster.Save(checkpoint);
        var onnx = dir.File($"{cell}.onnx");
        var r = CliRunner.Run("export", "--checkpoint", checkpoint, "--out", onnx);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("forecaster of y", r.Out, StringComparison.Ordinal);

        var file = ForecasterFile.Read(checkpoint);
        var x = file.Scaling.Inputs(data);
        int rows = data.Length, features = file.Scaling.Features, layers = 2, hidden = 16, h = 3;
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        var values = new List<Microsoft.ML.OnnxRuntime.OrtValue>
        {
            Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(x, [1, rows, features]),
            Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new float[layers * hidden], [layers, 1, hidden]),
        };
        var names = new List<string> { "x", "h0" };
        if (cell == CellKind.Lstm)
        {
            values.Add(Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new float[layers * hidden], [layers, 1, hidden]));
            names.Add("c0");
        }
        using var results = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), names, values, ["y"]);
        var y = results[0].GetTensorDataAsSpan<float>();
        var expected = forecaster.Forecast(data);
        for (int step = 1; step <= h; step++)
        {
            double viaOnnx = file.Scaling.Forecast(data.Target[^1], y[(rows - 1) * h + step - 1], step);
            Assert.True(Math.Abs(viaOnnx - expected[step - 1]) <= 1e-4 * (1 + Math.Abs(expected[step - 1])),
                $"step {step}: ONNX {viaOnnx}, library {expected[step - 1]}");
        }
        foreach (var v in values) v.Dispose();
    }

    private static IEnumerable<string> SafetensorsNames(string path) => IlgpuLstm.Engine.Checkpoints.SafetensorsFile.Open(path).Tensors.Keys;

    public void Dispose() => dir.Dispose();
}
