"""The Python client and its examples against a real circmatch-server (started here on a free port).

Run by ctest with CIRCMATCH_SERVER_PATH, CIRCMATCH_VOCABULARY_DIR and PYTHONPATH (the package and the generated
stubs) set; see clients/python/CMakeLists.txt.
"""
import os
import subprocess
import sys
import tempfile
import unittest

from circmatch_client import CircmatchError, Client, messages

import grpc

SERVER = os.environ["CIRCMATCH_SERVER_PATH"]
EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")


class Server:
    """circmatch-server on 127.0.0.1 with a port it picks, in a temporary data directory."""

    def __init__(self, *flags):
        self.dir = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [SERVER, "--listen=127.0.0.1:0", f"--data_dir={self.dir.name}/data",
             f"--vocabulary_dir={os.environ['CIRCMATCH_VOCABULARY_DIR']}", *flags],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if "listening on " not in line:
            self.process.kill()
            raise RuntimeError(f"circmatch-server did not start: {line!r}")
        self.address = line.strip().split("listening on ")[1]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.dir.cleanup()


def supplier(profile_id, cpv, municipality="Kampen"):
    return {"id": profile_id, "kind": "PROFILE_KIND_SUPPLIER", "displayName": f"Supplier {profile_id}",
            "visibility": "VISIBILITY_SHARED", "location": {"municipality": municipality},
            "capabilities": {"cpvCodes": [cpv], "strategies": ["R3"]}}


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--allow_unauthenticated")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_upsert_get_and_suggest_suppliers_with_explanations(self):
        with Client(self.server.address) as client:
            written = client.upsert([
                {"id": "t-py", "kind": "PROFILE_KIND_TENDER", "location": {"municipality": "Zwolle"},
                 "needs": {"cpvCodes": ["39130000"], "strategies": ["R3"]}},
                supplier("s-near", "39131000"), supplier("s-other", "45000000")])
            self.assertEqual(written.upserted_count, 3)
            self.assertEqual(client.get("s-near").location.municipality_code, "GM0166")
            response = client.suggest_suppliers("t-py", k=100)
            ids = [m.profile.id for m in response.matches]
            self.assertLess(ids.index("s-near"), ids.index("s-other"))
            best = response.matches[ids.index("s-near")]
            self.assertGreater(best.score, 0)
            self.assertEqual(best.explanation.cpv_matches[0].candidate_code, "39131000")
            self.assertIn("R3", best.explanation.shared_strategies)

    def test_errors_carry_the_code_and_the_field(self):
        with Client(self.server.address) as client:
            with self.assertRaises(CircmatchError) as raised:
                client.suggest_suppliers(tender={"needs": {"cpvCodes": ["39130000"]}}, k=0)
            self.assertEqual(raised.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn("k", raised.exception.message)
            with self.assertRaises(CircmatchError) as missing:
                client.get("no-such-profile")
            self.assertEqual(missing.exception.code, grpc.StatusCode.NOT_FOUND)

    def test_vocabulary_lookup(self):
        with Client(self.server.address) as client:
            terms = client.list_vocabulary("VOCABULARY_LIST_CPV", query="kantoormeubilair", page_size=5)
            self.assertIn("39130000", [t.code for t in terms.terms])

    def test_suggest_codes(self):
        with Client(self.server.address) as client:
            response = client.suggest_codes("Wij leveren kantoormeubilair", max_suggestions=3)
            self.assertLessEqual(len(response.suggestions), 3)
            self.assertEqual(response.suggestions[0].code, "39130000")
            self.assertEqual(list(response.suggestions[0].matched_words), ["kantoormeubilair"])

    def test_bulk_upload_example_streams_a_csv_with_a_progress_bar(self):
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
            f.write("id,kind,display_name,organization,municipality,cpv_codes,strategies,materials,"
                    "certifications,text,visibility\n")
            for i in range(23):
                f.write(f"csv-{i},supplier,Kringloop {i},Kringloop {i} BV,Zwolle,39130000;39131000,R3;R5,"
                        f"furniture,iso-14001,Hergebruik van kantoormeubilair,shared\n")
            path = f.name
        try:
            run = subprocess.run([sys.executable, os.path.join(EXAMPLES, "bulk_upload.py"), path,
                                  "--server", self.server.address, "--batch", "10"],
                                 capture_output=True, text=True, timeout=120)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertIn("imported 23 profiles in 3 batches", run.stdout)
            self.assertIn("23/23", run.stderr)
            with Client(self.server.address) as client:
                self.assertEqual(client.get("csv-22").capabilities.certifications, ["iso-14001"])
        finally:
            os.unlink(path)

    def test_suggest_suppliers_example_prints_the_ranking(self):
        with Client(self.server.address) as client:
            client.upsert([{"id": "t-ex", "kind": "PROFILE_KIND_TENDER", "needs": {"cpvCodes": ["39130000"]}},
                           supplier("s-ex", "39130000")])
        run = subprocess.run([sys.executable, os.path.join(EXAMPLES, "suggest_suppliers.py"), "t-ex",
                              "--server", self.server.address, "--k", "3"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("s-ex", run.stdout)
        self.assertIn("39130000->39130000", run.stdout)


class ApiKeyTest(unittest.TestCase):
    def test_the_key_goes_with_every_call(self):
        keys = tempfile.NamedTemporaryFile(delete=False)
        keys.close()
        os.unlink(keys.name)
        made = subprocess.run([SERVER, "keys", "create", keys.name, "partner-py"], capture_output=True, text=True)
        self.assertEqual(made.returncode, 0, made.stderr)
        key = made.stdout.strip()
        server = Server(f"--api_keys_file={keys.name}")
        try:
            with Client(server.address, api_key=key) as client:
                client.upsert([supplier("s-key", "39130000")])
                self.assertEqual(client.get("s-key").owner, "partner-py")
            with Client(server.address) as anonymous:
                with self.assertRaises(CircmatchError) as raised:
                    anonymous.get("s-key")
                self.assertEqual(raised.exception.code, grpc.StatusCode.UNAUTHENTICATED)
        finally:
            server.stop()
            os.unlink(keys.name)


if __name__ == "__main__":
    unittest.main()
