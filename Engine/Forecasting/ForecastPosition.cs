using System.Text.Json;

namespace IlgpuLstm.Engine.Forecasting;

/// <summary>
/// Where a forecasting run stands at the end of an epoch, stored in its <c>resume.safetensors</c>
/// with the weights, Adam's moments and the best weights so far: a resume continues from here
/// exactly as the run would have (each epoch starts from a zero state, so nothing else carries).
/// </summary>
internal sealed record ForecastPosition(int Epoch, int Steps, double BestMae, int BestEpoch, int SinceBest, double ElapsedSeconds)
{
    public const string Key = "position";
    public const string Moment1 = "optimizer.exp_avg", Moment2 = "optimizer.exp_avg_sq", Best = "best.parameters";

    // A run without a validation split has no best MAE (NaN), one before its first validation +inf.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static ForecastPosition Deserialize(string json) =>
        JsonSerializer.Deserialize<ForecastPosition>(json, Json) ?? throw new EngineException("the resume checkpoint's position is empty");
}
