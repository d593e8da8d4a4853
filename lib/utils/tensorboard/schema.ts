/**
 * The protocol buffers TensorBoard reads, as the subset of TensorBoard's own `.proto` files that
 * `SummaryWriter` writes (field numbers and types exactly theirs: tensorboard/compat/proto/
 * event.proto, summary.proto, tensor.proto, tensor_shape.proto, the text, pr_curve and hparams
 * plugins' plugin_data.proto and hparams/api.proto). Encoded by protobufjs from this text, parsed
 * on first use, so importing nodetorch does not load protobufjs.
 */
import type * as Protobuf from 'protobufjs';

const EVENT_PROTO = `
syntax = "proto3";
package tensorboard;

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    bytes graph_def = 4;
    Summary summary = 5;
    SessionLog session_log = 7;
  }
  SourceMetadata source_metadata = 10;
}

message SourceMetadata { string writer = 1; }

// tensorboard/compat/proto/graph.proto, node_def.proto, versions.proto, attr_value.proto (the
// fields add_graph fills).
message GraphDef {
  repeated NodeDef node = 1;
  VersionDef versions = 4;
}

message NodeDef {
  string name = 1;
  string op = 2;
  repeated string input = 3;
  string device = 4;
  map<string, AttrValue> attr = 5;
}

message VersionDef { int32 producer = 1; int32 min_consumer = 2; }

message AttrValue {
  message ListValue { repeated TensorShapeProto shape = 7; }
  oneof value {
    ListValue list = 1;
    bytes s = 2;
  }
}

message SessionLog {
  enum SessionStatus { STATUS_UNSPECIFIED = 0; START = 1; STOP = 2; CHECKPOINT = 3; }
  SessionStatus status = 1;
  string checkpoint_path = 2;
  string msg = 3;
}

message Summary {
  message Image {
    int32 height = 1;
    int32 width = 2;
    int32 colorspace = 3;
    bytes encoded_image_string = 4;
  }
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      Image image = 4;
      HistogramProto histo = 5;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}

message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
}

message HistogramProto {
  double min = 1;
  double max = 2;
  double num = 3;
  double sum = 4;
  double sum_squares = 5;
  repeated double bucket_limit = 6 [packed = true];
  repeated double bucket = 7 [packed = true];
}

enum DataType { DT_INVALID = 0; DT_FLOAT = 1; DT_DOUBLE = 2; DT_STRING = 7; }

message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
}

message TensorProto {
  DataType dtype = 1;
  TensorShapeProto tensor_shape = 2;
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated bytes string_val = 8;
}

message TextPluginData { int32 version = 1; }

message PrCurvePluginData {
  int32 version = 1;
  uint32 num_thresholds = 2;
}
`;

const HPARAMS_PROTO = `
syntax = "proto3";
package tensorboard.hparams;
import "google/protobuf/struct.proto";

enum DataType { DATA_TYPE_UNSET = 0; DATA_TYPE_STRING = 1; DATA_TYPE_BOOL = 2; DATA_TYPE_FLOAT64 = 3; }
enum Status { STATUS_UNKNOWN = 0; STATUS_SUCCESS = 1; STATUS_FAILURE = 2; STATUS_RUNNING = 3; }

message HParamInfo {
  string name = 1;
  string display_name = 2;
  string description = 3;
  DataType type = 4;
  oneof domain { google.protobuf.ListValue domain_discrete = 5; }
}

message MetricName {
  string group = 1;
  string tag = 2;
}

message MetricInfo {
  MetricName name = 1;
  string display_name = 3;
  string description = 4;
}

message Experiment {
  string name = 6;
  string description = 1;
  string user = 2;
  double time_created_secs = 3;
  repeated HParamInfo hparam_infos = 4;
  repeated MetricInfo metric_infos = 5;
}

message SessionStartInfo {
  map<string, google.protobuf.Value> hparams = 1;
  string model_uri = 2;
  string monitor_url = 3;
  string group_name = 4;
  double start_time_secs = 5;
}

message SessionEndInfo {
  Status status = 1;
  double end_time_secs = 2;
}

message HParamsPluginData {
  int32 version = 1;
  oneof data {
    Experiment experiment = 2;
    SessionStartInfo session_start_info = 3;
    SessionEndInfo session_end_info = 4;
  }
}
`;

// ---- the messages as plain objects (protobufjs's camelCase field names) -------------------------

/** `google.protobuf.Value`, of the kinds hparams use. */
export type ProtoValue = { numberValue: number } | { stringValue: string } | { boolValue: boolean };

export interface PluginData { pluginName: string; content?: Uint8Array }
export interface SummaryMetadata { pluginData?: PluginData; displayName?: string; summaryDescription?: string }
export interface ImageProto { height: number; width: number; colorspace: number; encodedImageString: Uint8Array }
export interface HistogramProto {
  min: number; max: number; num: number; sum: number; sumSquares: number; bucketLimit: number[]; bucket: number[];
}
export interface TensorProto {
  dtype: 'DT_FLOAT' | 'DT_DOUBLE' | 'DT_STRING';
  tensorShape?: { dim: { size: number }[] };
  floatVal?: number[];
  doubleVal?: number[];
  stringVal?: Uint8Array[];
}
/** One `Summary.Value`: a tag and exactly one of its kinds. */
export interface SummaryValue {
  tag: string;
  metadata?: SummaryMetadata;
  simpleValue?: number;
  image?: ImageProto;
  histo?: HistogramProto;
  tensor?: TensorProto;
}
export interface Summary { value: SummaryValue[] }
export interface EventProto {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  summary?: Summary;
  sessionLog?: { status: 'START' | 'STOP' | 'CHECKPOINT' };
  sourceMetadata?: { writer: string };
  graphDef?: Uint8Array;
}

export interface HParamInfo { name: string; type: 'DATA_TYPE_STRING' | 'DATA_TYPE_BOOL' | 'DATA_TYPE_FLOAT64'; domainDiscrete?: { values: ProtoValue[] } }
export interface HParamsPluginData {
  version: number;
  experiment?: { hparamInfos: HParamInfo[]; metricInfos: { name: { tag: string } }[] };
  sessionStartInfo?: { hparams: Record<string, ProtoValue> };
  sessionEndInfo?: { status: 'STATUS_SUCCESS' };
}

/** A `GraphDef`: one NodeDef per TorchScript node (see graph.ts). */
export interface GraphDefProto {
  node: {
    name: string; op: string; input: string[]; device?: string;
    attr: Record<string, { s?: Uint8Array; list?: { shape: { dim: { size: number }[] }[] } }>;
  }[];
  versions: { producer: number };
}

/** The message types by the name the writer uses. */
const MESSAGES = {
  Event: 'tensorboard.Event',
  GraphDef: 'tensorboard.GraphDef',
  TextPluginData: 'tensorboard.TextPluginData',
  PrCurvePluginData: 'tensorboard.PrCurvePluginData',
  HParamsPluginData: 'tensorboard.hparams.HParamsPluginData',
} as const;

interface Message<T> { encode(message: T): Uint8Array }
interface Messages {
  Event: Message<EventProto>;
  GraphDef: Message<GraphDefProto>;
  TextPluginData: Message<{ version: number }>;
  PrCurvePluginData: Message<{ version: number; numThresholds: number }>;
  HParamsPluginData: Message<HParamsPluginData>;
}

let messages: Messages | undefined;

/**
 * The encoders, built on first use: protobufjs parses the schema above into one root that also
 * holds `google/protobuf/struct.proto` (protobufjs's own copy), for hparams' values.
 */
export function proto(): Messages {
  if (messages !== undefined) return messages;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const protobuf = require('protobufjs') as typeof Protobuf;
  const root = protobuf.Root.fromJSON(protobuf.common.get('google/protobuf/struct.proto')!);
  protobuf.parse(EVENT_PROTO, root);
  protobuf.parse(HPARAMS_PROTO, root);
  root.resolveAll();
  const encoder = <T>(name: string): Message<T> => {
    const type = root.lookupType(name);
    return { encode: (message: T) => type.encode(type.fromObject(message as Record<string, unknown>)).finish() };
  };
  messages = {
    Event: encoder(MESSAGES.Event),
    GraphDef: encoder(MESSAGES.GraphDef),
    TextPluginData: encoder(MESSAGES.TextPluginData),
    PrCurvePluginData: encoder(MESSAGES.PrCurvePluginData),
    HParamsPluginData: encoder(MESSAGES.HParamsPluginData),
  };
  return messages;
}
