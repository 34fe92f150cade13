/// RIB: Adj-RIB-In, the decision process, Loc-RIB and Adj-RIB-Out.
/// PLACEHOLDER — replaced by the RIB work.
public enum RIBModule {}
