namespace IlgpuLstm.Engine.Training;

public enum OptimizerKind
{
    Adam,
    Sgd,
    RmsProp,
}
