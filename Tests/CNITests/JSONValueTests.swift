import CNI
import Foundation
import Testing

@Suite struct JSONValueTests {
    @Test func parsesEveryKind() throws {
        let v = try JSONValue.parse(Data(#"{"a":null,"b":true,"c":false,"d":-1.5e2,"e":"s","f":[1,"x"],"g":{}}"#.utf8))
        #expect(v == ["a": nil, "b": true, "c": false, "d": -150, "e": "s", "f": [1, "x"], "g": [:]])
        #expect(v["b"]?.boolValue == true)
        #expect(v["d"]?.numberValue == -150)
        #expect(v["d"]?.intValue == -150)
        #expect(v["f"]?.arrayValue?.count == 2)
        #expect(v["a"]?.isNull == true)
        #expect(v["zzz"] == nil)
    }

    /// true/false are not numbers and 1/0 are not Booleans.
    @Test func booleansAndNumbersStayApart() throws {
        #expect(try JSONValue.parse(Data("[true,1,0,false]".utf8)) == .array([.bool(true), .number(1), .number(0), .bool(false)]))
    }

    @Test func serializesCompactSortedAndUnescapedSlashes() {
        let v: JSONValue = ["z": 1, "a": ["/run/netns/x", 2.5, nil, true], "m": "q\"\\\u{1}\t"]
        #expect(v.serialized == #"{"a":["/run/netns/x",2.5,null,true],"m":"q\"\\\u0001\t","z":1}"#)
    }

    @Test func numbers() throws {
        #expect(JSONValue.number(1450).serialized == "1450")
        #expect(JSONValue.number(-3).serialized == "-3")
        #expect(JSONValue.number(0.25).serialized == "0.25")
        #expect(JSONValue.number(1.5).intValue == nil)
        #expect(try JSONValue.parse(Data("18080".utf8)).intValue == 18080)
    }

    @Test func roundTripsUnicode() throws {
        let v: JSONValue = ["name": "nét-π-🙂"]
        #expect(try JSONValue.parse(v.data) == v)
    }

    @Test func codable() throws {
        let v: JSONValue = ["k": [1, "two", nil, ["x": false]]]
        let data = try JSONEncoder().encode(v)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == v)
    }

    @Test func syntaxErrorIsCode6() {
        #expect(throws: CNIError.self) { try JSONValue.parse(Data("{".utf8)) }
        do {
            _ = try JSONValue.parse(Data("{\"a\":}".utf8))
        } catch {
            #expect(error.code == 6)
        }
    }
}
