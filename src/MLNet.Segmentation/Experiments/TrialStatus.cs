using System.Text.Json.Serialization;

namespace MLNet.Segmentation.Experiments;

/// <summary>Why a trial stopped.</summary>
public enum TrialStatus
{
    /// <summary>Trained all its epochs.</summary>
    [JsonStringEnumMemberName("completed")] Completed,
    /// <summary>Successive halving did not promote it past its last rung.</summary>
    [JsonStringEnumMemberName("stopped-early")] StoppedEarly,
    /// <summary>The sweep's time budget ran out while it trained; its metrics are those of its epochs so far.</summary>
    [JsonStringEnumMemberName("budget")] Budget,
    /// <summary>Training failed (the error is kept, as one line).</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}
